import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Component, Settings } from '../../component/types.js';
import type { FileStorageConfig } from './config.js';
import { openDatabase, type SqliteDatabase } from './database.js';

/**
 * What a component gets from `host.getExtension('file_storage')`: its own store file, opened on
 * first request (`exporter_opik.db` for the exporter `opik`), closed when the extension stops.
 */
export interface Storage extends Component {
  readonly directory: string;
  /** The component's database; `kind` and `id` name the file. */
  database(kind: string, id: string): SqliteDatabase;
  /** Bytes used by every store file of this extension (database and WAL). */
  bytes(): number;
}

export function isStorage(c: Component | undefined): c is Storage {
  return c !== undefined && typeof (c as Partial<Storage>).database === 'function';
}

export function createFileStorage(settings: Settings, config: FileStorageConfig): Storage {
  const open = new Map<string, SqliteDatabase>();
  const files = () => [...open.keys()].flatMap((f) => [f, `${f}-wal`]);
  const size = (f: string) => {
    try {
      return statSync(f).size;
    } catch {
      return 0;
    }
  };
  const storage: Storage = {
    directory: config.directory,
    async start() {
      if (config.create_directory) mkdirSync(config.directory, { recursive: true });
      else if (!statSync(config.directory, { throwIfNoEntry: false })?.isDirectory()) {
        throw new Error(
          `directory ${config.directory} does not exist (set create_directory: true to create it)`,
        );
      }
    },
    database(kind, id) {
      const name = `${kind}_${id}`.replace(/[^A-Za-z0-9_.-]/g, '_');
      const file = join(config.directory, `${name}.db`);
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
    },
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
