import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Settings } from '../../component/types.js';
import type { StorageExtension, StorageOwner } from '../../storage/extension.js';
import type { FileStorageConfig } from './config.js';
import { openDatabase, type SqliteDatabase } from './database.js';
import { sqliteIdStore } from './sqlite-id-store.js';
import { SqliteQueueStore } from './sqlite-queue-store.js';

/**
 * `file_storage`: each component that names it gets its own SQLite file, opened on first request
 * (`exporter_opik.db` for the exporter `opik`) and closed when the extension stops, holding the
 * stores it asks for: its persistent queue, its id store.
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
      db = openDatabase(file, {
        fsync: config.fsync,
        busyTimeoutMs: config.timeout,
        logger: settings.logger,
      });
      open.set(file, db);
    }
    return db;
  }
  const storage: FileStorage = {
    directory: config.directory,
    async start() {
      if (config.create_directory) mkdirSync(config.directory, { recursive: true });
      else if (!statSync(config.directory, { throwIfNoEntry: false })?.isDirectory()) {
        throw new Error(
          `directory ${config.directory} does not exist (set create_directory: true to create it)`,
        );
      }
    },
    queueStore: (owner) => new SqliteQueueStore(database(owner)),
    idStore: (owner, options) => sqliteIdStore(database(owner), options),
    bytes: () => files().reduce((n, f) => n + size(f), 0),
    async shutdown() {
      for (const db of open.values()) db.close();
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
