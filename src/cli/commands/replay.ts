import {
  appendFileSync,
  existsSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import type { AnyFactory } from '../../component/types.js';
import type { OpikConfig } from '../../exporters/opik/config.js';
import { type DeadLetterLine, replayDeadLetters } from '../../exporters/opik/replay.js';
import { loadAndReport, type Output } from './validate.js';

/**
 * `replay FILE --config F`: re-sends a dead-letter file through the config's `opik` exporter
 * named in each line (or the only one), and says what became of every item:
 *
 * - Opik could take nothing (unreachable, failing, credentials refused): the reason, and no file
 *   is touched; run it again later (re-sending is safe, Opik upserts by id). Exit 1.
 * - Opik answered for every item: FILE moves aside to `FILE.replayed`; items Opik refused again
 *   go to `FILE.failed.jsonl` with its new reason (exit 1), or a stale `FILE.failed.jsonl` from
 *   an earlier replay is removed (exit 0).
 */
export async function replayCommand(
  file: string | undefined,
  configs: readonly string[],
  sets: readonly string[],
  factories: readonly AnyFactory[],
  io: Output,
): Promise<number> {
  if (!file) {
    io.err('error: replay needs a dead-letter file: dify-opik-collector replay FILE --config F');
    return 1;
  }
  const resolved = loadAndReport(configs, sets, factories, io);
  if (!resolved) return 1;
  let text: Buffer;
  let lines: DeadLetterLine[];
  try {
    text = readFileSync(file);
    lines = parseLines(text.toString('utf8'), file);
  } catch (err) {
    io.err(`error: ${(err as Error).message}`);
    return 1;
  }
  if (lines.length === 0) {
    io.out(`${file} holds no items; nothing to replay`);
    return 0;
  }
  const opik = [...resolved.components.values()].filter(
    (c) => c.kind === 'exporter' && c.factory.type === 'opik',
  );
  if (opik.length === 0) {
    io.err('error: the config has no opik exporter to replay through');
    return 1;
  }
  // Each line goes through the exporter that wrote it; a line without one, through the only one.
  const target = (l: DeadLetterLine) =>
    opik.find((e) => e.id === l.exporter) ??
    (l.exporter === undefined && opik.length === 1 ? opik[0] : undefined);
  const refused: DeadLetterLine[] = lines
    .filter((l) => !target(l))
    .map((l) => ({ ...l, reason: `replay: no opik exporter "${l.exporter ?? ''}" in the config` }));
  let sent = 0;
  for (const exporter of opik) {
    const mine = lines.filter((l) => target(l) === exporter);
    if (mine.length === 0) continue;
    const config = exporter.config as OpikConfig;
    const result = await replayDeadLetters(config, mine);
    sent += result.sent;
    refused.push(...result.refused);
    if (result.stopped) {
      io.err(
        `replay stopped after ${sent} of ${lines.length} item(s): ${result.stopped} (exporter "${exporter.id}", ${config.endpoint})`,
      );
      io.err(
        `${file} is left as it was; run replay again once Opik takes data (\`dify-opik-collector doctor\` says what is wrong). Items already sent are upserted by id, never duplicated.`,
      );
      return 1;
    }
  }
  io.out(`replayed ${sent} of ${lines.length} item(s)`);
  setAside(file, text, io);
  const failedFile = `${file}.failed.jsonl`;
  if (refused.length > 0) {
    writeFileSync(failedFile, `${refused.map((l) => JSON.stringify(l)).join('\n')}\n`);
    io.err(`${refused.length} item(s) were refused again; they are in ${failedFile}:`);
    for (const [reason, n] of countBy(refused.map((l) => l.reason ?? ''))) {
      io.err(`  ${n} × ${reason}`);
    }
    io.err(`fix what Opik says, then: dify-opik-collector replay ${failedFile} --config …`);
    return 1;
  }
  if (existsSync(failedFile)) {
    rmSync(failedFile);
    io.out(`removed ${failedFile}, left over from an earlier replay`);
  }
  return 0;
}

/**
 * Moves FILE to `FILE.replayed` once Opik answered for all of it. A running collector may append
 * to FILE meanwhile (it opens the file per write): whatever came after what was replayed goes
 * back into a fresh FILE.
 */
function setAside(file: string, replayed: Buffer, io: Output): void {
  const done = `${file}.replayed`;
  renameSync(file, done);
  const now = readFileSync(done);
  if (now.length > replayed.length) {
    appendFileSync(file, now.subarray(replayed.length));
    writeFileSync(done, replayed);
  }
  io.out(`moved ${file} to ${done} (its items are in Opik now; delete it when you like)`);
}

function parseLines(text: string, file: string): DeadLetterLine[] {
  return text
    .split('\n')
    .map((l, i) => [l, i] as const)
    .filter(([l]) => l.trim() !== '')
    .map(([l, i]) => {
      try {
        return JSON.parse(l) as DeadLetterLine;
      } catch {
        throw new Error(`${file}:${i + 1}: not a JSON line`);
      }
    });
}

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}
