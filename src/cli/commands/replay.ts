import { readFileSync, writeFileSync } from 'node:fs';
import type { AnyFactory } from '../../component/types.js';
import type { OpikConfig } from '../../exporters/opik/config.js';
import { type DeadLetterLine, replayDeadLetters } from '../../exporters/opik/replay.js';
import { loadAndReport, type Output } from './validate.js';

/**
 * `replay FILE --config F`: re-sends a dead-letter file through the config's `opik` exporter
 * named in each line (or the only one). Lines Opik still refuses are written to
 * `FILE.failed.jsonl` with the new reason; exit 0 only when every line went through.
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
  let lines: DeadLetterLine[];
  try {
    lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l, i) => {
        try {
          return JSON.parse(l) as DeadLetterLine;
        } catch {
          throw new Error(`${file}:${i + 1}: not a JSON line`);
        }
      });
  } catch (err) {
    io.err(`error: ${(err as Error).message}`);
    return 1;
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
  const failed: DeadLetterLine[] = lines
    .filter((l) => !target(l))
    .map((l) => ({ ...l, reason: `replay: no opik exporter "${l.exporter ?? ''}" in the config` }));
  let sent = 0;
  for (const exporter of opik) {
    const mine = lines.filter((l) => target(l) === exporter);
    if (mine.length === 0) continue;
    const result = await replayDeadLetters(exporter.config as OpikConfig, mine);
    sent += result.sent;
    failed.push(...result.failed);
  }
  io.out(`replayed ${sent} of ${lines.length} item(s)`);
  if (failed.length > 0) {
    const out = `${file}.failed.jsonl`;
    writeFileSync(out, `${failed.map((l) => JSON.stringify(l)).join('\n')}\n`);
    io.err(`${failed.length} item(s) were refused again; they are in ${out}`);
    return 1;
  }
  return 0;
}
