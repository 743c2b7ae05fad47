import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeSpan, makeTraces } from '../../pdata/span.js';
import { silentLogger } from '../../telemetry/logger.js';
import { capturingLogger } from '../../testing/senders.js';
import { TestHost, testSettings } from '../../testing/settings.js';
import { fileStorageConfigSchema } from './config.js';
import { openDatabase } from './database.js';
import { createFileStorage } from './file-storage.js';

const OPIK = { kind: 'exporter', id: 'opik' } as const;
const one = makeTraces([makeSpan({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), name: 's' })]);

function storage(directory: string, extra: Record<string, unknown> = {}) {
  const { logger, lines } = capturingLogger();
  const config = fileStorageConfigSchema.parse({
    directory,
    create_directory: true,
    fsync: true,
    timeout: '1s',
    ...extra,
  });
  return {
    s: createFileStorage({ ...testSettings('extension', 'file_storage'), logger }, config),
    lines,
  };
}

describe('file_storage extension', () => {
  it('gives each component its own store file, holding its queue and its ids', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'fs-')), 'data');
    const { s } = storage(dir);
    await s.start(new TestHost());
    await s
      .queueStore({ kind: 'exporter', id: 'opik/cloud' })
      .put([{ traces: one, items: 1, bytes: 0 }]);
    const ids = s.idStore(OPIK, { ttlMs: 60_000, maxEntries: 10, namespace: 'ws|p' });
    await ids.putIfAbsent('trace_timestamp', new Map([['t', '5']]));
    expect(
      readdirSync(dir)
        .filter((f) => f.endsWith('.db'))
        .sort(),
    ).toEqual(['exporter_opik.db', 'exporter_opik_cloud.db']);
    expect(s.bytes()).toBeGreaterThan(0);
    await s.shutdown();

    const again = storage(dir).s;
    await again.start(new TestHost());
    expect(again.queueStore({ kind: 'exporter', id: 'opik/cloud' }).totals.requests).toBe(1);
    const kept = again.idStore(OPIK, { ttlMs: 60_000, maxEntries: 10, namespace: 'ws|p' });
    expect(await kept.get('trace_timestamp', ['t'])).toEqual(new Map([['t', '5']]));
    await again.shutdown();
  });

  it.each([
    [true, 2],
    [false, 1],
  ])('opens SQLite in WAL mode, fsync %s → synchronous %i', (fsync, level) => {
    const file = join(mkdtempSync(join(tmpdir(), 'fs-')), 'x.db');
    const db = openDatabase(file, { fsync, busyTimeoutMs: 100, logger: silentLogger() });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(level);
    db.close();
  });

  it.each([
    [
      'a file that is not a database',
      (f: string) => writeFileSync(f, 'this is not sqlite at all, just text'.repeat(200)),
    ],
    [
      'a truncated database',
      (f: string) => {
        const bytes = readFileSync(f);
        writeFileSync(f, bytes.subarray(0, 1500));
      },
    ],
  ])('moves %s aside with a loud log and starts with a fresh store', async (_name, damage) => {
    const dir = mkdtempSync(join(tmpdir(), 'fs-'));
    const first = storage(dir);
    await first.s.start(new TestHost());
    const queue = first.s.queueStore(OPIK);
    for (let i = 0; i < 50; i++) await queue.put([{ traces: one, items: 1, bytes: 0 }]);
    await first.s.shutdown();
    damage(join(dir, 'exporter_opik.db'));

    const second = storage(dir);
    await second.s.start(new TestHost());
    expect(second.s.queueStore(OPIK).totals.requests).toBe(0);
    const aside = readdirSync(dir).filter((f) => f.startsWith('exporter_opik.db.corrupt-'));
    expect(aside.length).toBeGreaterThan(0);
    expect(
      second.lines.some(
        (l) => l.level === 50 && String(l.msg).startsWith('storage file is corrupt'),
      ),
    ).toBe(true);
    await second.s.shutdown();
  });

  it('refuses to start on a missing directory when it may not create it', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'fs-')), 'missing');
    const { s } = storage(dir, { create_directory: false });
    await expect(s.start(new TestHost())).rejects.toThrow(
      `directory ${dir} does not exist (set create_directory: true to create it)`,
    );
    expect(existsSync(dir)).toBe(false);
  });
});
