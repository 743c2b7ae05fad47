import { accessSync, constants, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ResolvedConfig } from '../config/resolve.js';
import type { SendingQueueConfig } from '../exporterhelper/queue/config.js';
import type { FileStorageConfig } from '../extensions/file-storage/config.js';
import { storeFileName } from '../extensions/file-storage/file-storage.js';
import { type CheckResult, fail, pass } from './check.js';

/** For each exporter with a persistent queue: its directory is writable, and what it holds. */
export function checkQueues(config: ResolvedConfig): CheckResult[] {
  const results: CheckResult[] = [];
  for (const c of config.components.values()) {
    if (c.kind !== 'exporter') continue;
    const queue = (c.config as { sending_queue?: SendingQueueConfig }).sending_queue;
    if (!queue?.enabled || !queue.storage) continue;
    const storage = config.components.get(`extension:${queue.storage}`);
    if (!storage) continue;
    const dir = (storage.config as FileStorageConfig).directory;
    const who = `exporter "${c.id}"`;
    const problem = writable(dir, (storage.config as FileStorageConfig).create_directory);
    if (problem) {
      results.push(
        fail(
          `${who}: the queue directory ${dir} is not writable: ${problem}`,
          `give the collector's user write access to ${dir}, or point extensions::${queue.storage}::directory at a writable volume`,
        ),
      );
      continue;
    }
    results.push(
      pass(`${who}: the queue directory ${dir} is writable; ${queued(dir, c.id)} queued`),
    );
  }
  return results;
}

function writable(dir: string, create: boolean): string | undefined {
  try {
    if (!existsSync(dir)) {
      if (!create) return 'it does not exist (and create_directory is false)';
      mkdirSync(dir, { recursive: true });
    }
    accessSync(dir, constants.W_OK);
    const probe = join(dir, `.doctor-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  }
}

function queued(dir: string, exporterId: string): string {
  const file = join(dir, storeFileName({ kind: 'exporter', id: exporterId }));
  if (!existsSync(file)) return 'nothing';
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const row = db
        .prepare('SELECT COUNT(*) AS n, COALESCE(SUM(items), 0) AS spans FROM queue')
        .get() as {
        n: number;
        spans: number;
      };
      return row.n === 0 ? 'nothing' : `${row.spans} span(s) in ${row.n} request(s)`;
    } finally {
      db.close();
    }
  } catch {
    return 'an unreadable store (it will be moved aside at start)';
  }
}
