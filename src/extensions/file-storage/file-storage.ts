import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Settings } from '../../component/types.js';
import type { StorageExtension, StorageOwner } from '../../storage/extension.js';
import { StorageUnavailableError } from '../../storage/unavailable.js';
import type { FileStorageConfig } from './config.js';
import { openDatabase, type SqliteDatabase } from './database.js';
import { SqliteHoldStore } from './sqlite-hold-store.js';
import { guardedIdStore, sqliteIdStore } from './sqlite-id-store.js';
import { SqliteQueueStore } from './sqlite-queue-store.js';

/**
 * `file_storage`: each component that names it gets its own SQLite file, opened on first request
 * (`exporter_opik.db` for the exporter `opik`) and closed when the extension stops, holding the
 * stores it asks for: its persistent queue, its id store, its hold.
 *
 * A store that cannot be opened because of the disk (full, read-only, not writable) throws
 * `StorageUnavailableError`, which its user waits out; the id store opens on first use and
 * tries again on each call.
 */
export interface FileStorage extends Required<StorageExtension> {
  readonly directory: string;
  /** Bytes used by every store file of this extension (database and WAL). */
  bytes(): number;
}

/** The file a component's stores live in (`doctor` reads the queue from it). */
export function storeFileName(owner: StorageOwner): string {
  return `${`${owner.kind}_${owner.id}`.replace(/[^A-Za-z0-9_.-]/g, '_')}.db`;
}

export function createFileStorage(settings: Settings, config: FileStorageConfig): FileStorage {
  const open = new Map<string, SqliteDatabase>();
  const files = () => [...open.keys()].flatMap((f) => [f, `${f}-wal`]);
  const size = (f: string) => {
    try {
      return statSync(f).size;
    } catch {
      return 0;
    }
  };
  function database(owner: StorageOwner): SqliteDatabase {
    const file = join(config.directory, storeFileName(owner));
    let db = open.get(file);
    if (!db) {
      if (config.create_directory) {
        try {
          mkdirSync(config.directory, { recursive: true });
        } catch (err) {
          throw new StorageUnavailableError(`cannot create ${config.directory}`, err);
        }
      }
      db = openDatabase(file, {
        fsync: config.fsync,
        busyTimeoutMs: config.timeout,
        logger: settings.logger,
      });
      open.set(file, db);
    }
    return db;
  }
  const setAside = settings.telemetry.counter(
    'otelcol_storage_set_aside_records_total',
    'Stored queue requests that could not be read back and were set aside (not delivered).',
    ['storage', 'owner'],
  );
  const storage: FileStorage = {
    directory: config.directory,
    async start() {
      if (config.create_directory) {
        try {
          mkdirSync(config.directory, { recursive: true });
        } catch (err) {
          // A disk fault is waited out by the stores' users; the directory is tried again then.
          settings.logger.error(
            { directory: config.directory, error: (err as Error).message },
            'file_storage cannot create its directory; the stores are unavailable until it can',
          );
        }
      } else if (!statSync(config.directory, { throwIfNoEntry: false })?.isDirectory()) {
        throw new Error(
          `directory ${config.directory} does not exist (set create_directory: true to create it)`,
        );
      }
    },
    queueStore(owner) {
      const db = database(owner);
      const label = { storage: settings.id, owner: `${owner.kind}/${owner.id}` };
      try {
        return new SqliteQueueStore(db, {
          logger: settings.logger.child({ owner: label.owner }),
          onSetAside: () => setAside.labels(label).inc(),
        });
      } catch (err) {
        throw new StorageUnavailableError('cannot prepare the queue store', err);
      }
    },
    holdStore(owner) {
      const db = database(owner);
      try {
        return new SqliteHoldStore(
          db,
          settings.logger.child({ owner: `${owner.kind}/${owner.id}` }),
        );
      } catch (err) {
        throw new StorageUnavailableError('cannot prepare the hold store', err);
      }
    },
    idStore: (owner, options) => guardedIdStore(() => sqliteIdStore(database(owner), options)),
    bytes: () => files().reduce((n, f) => n + size(f), 0),
    async shutdown() {
      for (const db of open.values()) {
        try {
          db.close();
        } catch (err) {
          settings.logger.warn({ error: (err as Error).message }, 'closing a store failed');
        }
      }
      open.clear();
    },
  };
  settings.telemetry.gauge(
    'otelcol_storage_bytes',
    'Bytes on disk of a file_storage extension (databases and write-ahead logs).',
    ['storage'],
    (g) => g.labels({ storage: settings.id }).set(storage.bytes()),
  );
  return storage;
}
