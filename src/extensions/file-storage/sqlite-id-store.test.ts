import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../telemetry/logger.js';
import { describeIdStore } from '../../testing/id-store-contract.js';
import { openDatabase } from './database.js';
import { sqliteIdStore } from './sqlite-id-store.js';

const database = () =>
  openDatabase(join(mkdtempSync(join(tmpdir(), 'ids-')), 'ids.db'), {
    fsync: false,
    busyTimeoutMs: 100,
    logger: silentLogger(),
  });

describeIdStore('file_storage (SQLite)', (options, now) => sqliteIdStore(database(), options, now));

describe('sqliteIdStore', () => {
  it('takes over the trace timestamps an earlier version kept in trace_timestamps', async () => {
    const db = database();
    db.exec(`CREATE TABLE trace_timestamps (trace_id TEXT PRIMARY KEY, timestamp_ms INTEGER NOT NULL, expires_at INTEGER NOT NULL);
      INSERT INTO trace_timestamps VALUES ('abc', 1767225600123, 9999999999999)`);
    const store = sqliteIdStore(db, { ttlMs: 1000, maxEntries: 10, namespace: 'ws|p' }, () => 0);
    expect(await store.get('trace_timestamp', ['abc'])).toEqual(
      new Map([['abc', '1767225600123']]),
    );
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'trace_timestamps'").get()).toBe(
      undefined,
    );
  });
});
