import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capturingLogger } from '../../testing/senders.js';
import { TestHost, testSettings } from '../../testing/settings.js';
import { fileStorageConfigSchema } from './config.js';
import { createFileStorage } from './file-storage.js';

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
  it('gives each component its own store file in WAL mode', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'fs-')), 'data');
    const { s } = storage(dir);
    await s.start(new TestHost());
    const db = s.database('exporter', 'opik/cloud');
    db.exec('CREATE TABLE t (x)');
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(readdirSync(dir)).toContain('exporter_opik_cloud.db');
    expect(s.bytes()).toBeGreaterThan(0);
    await s.shutdown();
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
    const db = first.s.database('exporter', 'opik');
    db.exec('CREATE TABLE queue (x); INSERT INTO queue VALUES (1)');
    for (let i = 0; i < 50; i++) db.exec(`INSERT INTO queue VALUES (${i})`);
    db.pragma('wal_checkpoint(TRUNCATE)');
    await first.s.shutdown();
    damage(join(dir, 'exporter_opik.db'));

    const second = storage(dir);
    await second.s.start(new TestHost());
    const fresh = second.s.database('exporter', 'opik');
    expect(
      fresh.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'queue'").get(),
    ).toEqual({ n: 0 });
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
