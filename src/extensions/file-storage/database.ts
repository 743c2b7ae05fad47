import { existsSync, renameSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { StorageUnavailableError } from '../../storage/unavailable.js';

export type SqliteDatabase = Database.Database;

const require = createRequire(import.meta.url);
/**
 * better-sqlite3, loaded on the first open: a configuration without storage never loads SQLite
 * (its native library and bindings cost memory at idle).
 */
let driver: typeof Database | undefined;
const sqlite = (): typeof Database => (driver ??= require('better-sqlite3') as typeof Database);

export interface OpenOptions {
  readonly fsync: boolean;
  readonly busyTimeoutMs: number;
  readonly logger: Logger;
  readonly now?: () => Date;
}

/**
 * Opens (or creates) a SQLite store in WAL mode. A file that is not a database, is truncated or
 * fails `PRAGMA quick_check` is moved aside as `<file>.corrupt-<time>` with a loud log and a fresh
 * store is created, so a damaged file never keeps the collector from starting (the Collector's
 * bbolt store crash-loops instead: contrib#35899). Any other failure (a full disk, a read-only or
 * unwritable directory) leaves the file as it is and throws `StorageUnavailableError`: the data
 * in it is intact and is read once the store can be opened.
 *
 * `fsync: true` → `synchronous=FULL`: a commit is on disk before it returns, so an acknowledged
 * item survives power loss. `false` → `synchronous=NORMAL`: in WAL mode a commit survives a crash
 * of the process (`kill -9`), and the database stays consistent on power loss, but the last
 * commits before a power loss may be lost.
 */
export function openDatabase(file: string, options: OpenOptions): SqliteDatabase {
  try {
    return openChecked(file, options);
  } catch (err) {
    if (!isCorrupt(err) || !existsSync(file)) throw unavailable(file, err);
    const aside = `${file}.corrupt-${(options.now?.() ?? new Date()).toISOString().replace(/[:.]/g, '-')}`;
    try {
      renameSync(file, aside);
      for (const side of ['-wal', '-shm'])
        if (existsSync(file + side)) renameSync(file + side, aside + side);
      options.logger.error(
        { file, movedTo: aside, reason: (err as Error).message },
        'storage file is corrupt; it was moved aside and a new, empty store was created — the data in it is not delivered',
      );
      return openChecked(file, options);
    } catch (again) {
      throw unavailable(file, again);
    }
  }
}

/** SQLite's own verdict that a file is not a sound database (not a full disk or a permission). */
function isCorrupt(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string')
    return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
  return err instanceof QuickCheckError;
}

class QuickCheckError extends Error {}

function unavailable(file: string, err: unknown): StorageUnavailableError {
  return new StorageUnavailableError(`cannot open the store ${file}`, err);
}

function openChecked(file: string, options: OpenOptions): SqliteDatabase {
  const Sqlite = sqlite();
  const db = new Sqlite(file, { timeout: options.busyTimeoutMs });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.fsync ? 'FULL' : 'NORMAL'}`);
    if (existsSync(file) && statSync(file).size > 0) {
      const result = db.pragma('quick_check', { simple: true });
      if (result !== 'ok') throw new QuickCheckError(`quick_check: ${String(result)}`);
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** SQLite's `synchronous = NORMAL`. */
const NORMAL = 1;

/**
 * Runs `write` (a transaction) without a disk sync of its own, whatever the `fsync` setting: in
 * WAL mode its commit survives a crash of the process at once, and a power loss once the next
 * commit that syncs (or a checkpoint) has run. For writes whose loss costs no acknowledged data.
 */
export function unsynced<T>(db: SqliteDatabase, write: () => T): T {
  const synced = db.pragma('synchronous', { simple: true }) as number;
  if (synced <= NORMAL) return write();
  db.pragma('synchronous = NORMAL');
  try {
    return write();
  } finally {
    db.pragma(`synchronous = ${synced}`);
  }
}
