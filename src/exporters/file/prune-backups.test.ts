import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackupNames } from './backup-name.js';
import { pruneBackups } from './prune-backups.js';

const now = new Date(Date.UTC(2026, 5, 30, 12));
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000 - 1000);

/** A directory with the live file, an unrelated file, and backups made `ages` days ago. */
function setup(ages: number[]) {
  const dir = mkdtempSync(join(tmpdir(), 'prune-'));
  const names = new BackupNames(join(dir, 'traces.json'), false);
  writeFileSync(join(dir, 'traces.json'), '');
  writeFileSync(join(dir, 'notes.txt'), '');
  for (const age of ages) writeFileSync(names.format(daysAgo(age)), '');
  return { dir, names };
}

const left = (dir: string) => readdirSync(dir).sort();

describe('pruning rotated files', () => {
  it('keeps the newest max_backups and never touches other files', async () => {
    const { dir, names } = setup([0, 1, 2, 3]);
    const removed = await pruneBackups(names, { max_backups: 2, max_days: 0 }, now);
    expect(removed).toHaveLength(2);
    expect(left(dir)).toEqual(
      [names.format(daysAgo(0)), names.format(daysAgo(1))]
        .map((p) => p.slice(dir.length + 1))
        .concat(['notes.txt', 'traces.json'])
        .sort(),
    );
  });

  it('removes backups older than max_days', async () => {
    const { dir, names } = setup([0, 6, 8]);
    await pruneBackups(names, { max_backups: 0, max_days: 7 }, now);
    expect(left(dir)).toHaveLength(4);
    expect(left(dir)).not.toContain(names.format(daysAgo(8)).slice(dir.length + 1));
  });

  it('keeps everything when both rules are off', async () => {
    const { dir, names } = setup([0, 100, 1000]);
    expect(await pruneBackups(names, { max_backups: 0, max_days: 0 }, now)).toEqual([]);
    expect(left(dir)).toHaveLength(5);
  });
});
