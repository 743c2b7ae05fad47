import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackupNames } from './backup-name.js';
import type { RotationConfig } from './config.js';

const DAY_MS = 86_400_000;

/**
 * Removes rotated files beyond the newest `max_backups` and those older than `max_days` (a
 * zero setting switches its rule off), judging age by the time in the name. Returns the paths
 * removed. A file that vanished meanwhile is not an error.
 */
export async function pruneBackups(
  names: BackupNames,
  rotation: Pick<RotationConfig, 'max_backups' | 'max_days'>,
  now: Date,
): Promise<string[]> {
  const backups = (await readdir(names.directory))
    .flatMap((file) => {
      const time = names.parse(file);
      return time ? [{ path: join(names.directory, file), time: time.getTime() }] : [];
    })
    .sort((a, b) => b.time - a.time);
  const doomed = new Set<string>();
  if (rotation.max_backups > 0) {
    for (const b of backups.slice(rotation.max_backups)) doomed.add(b.path);
  }
  if (rotation.max_days > 0) {
    const cutoff = now.getTime() - rotation.max_days * DAY_MS;
    for (const b of backups) if (b.time < cutoff) doomed.add(b.path);
  }
  await Promise.all(
    [...doomed].map((path) =>
      unlink(path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      }),
    ),
  );
  return [...doomed];
}
