import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../telemetry/logger.js';
import { describeIdStore } from '../../testing/id-store-contract.js';
import { openDatabase } from './database.js';
import { sqliteIdStore } from './sqlite-id-store.js';

const database = (file = join(mkdtempSync(join(tmpdir(), 'ids-')), 'ids.db')) =>
  openDatabase(file, { fsync: false, busyTimeoutMs: 100, logger: silentLogger() });
const options = { ttlMs: 1000, maxEntries: 10, namespace: 'ws|p' };

describeIdStore('file_storage (SQLite)', (options, now) => sqliteIdStore(database(), options, now));

describe('sqliteIdStore', () => {
  it('takes over the trace timestamps an earlier version kept in trace_timestamps', async () => {
    const db = database();
    db.exec(`CREATE TABLE trace_timestamps (trace_id TEXT PRIMARY KEY, timestamp_ms INTEGER NOT NULL, expires_at INTEGER NOT NULL);
      INSERT INTO trace_timestamps VALUES ('abc', 1767225600123, 9999999999999)`);
    const store = sqliteIdStore(db, options, () => 0);
    expect(await store.get('trace_timestamp', ['abc'])).toEqual(
      new Map([['abc', '1767225600123']]),
    );
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'trace_timestamps'").get()).toBe(
      undefined,
    );
  });

  it('finds what an earlier process stored in every keyspace, and what the same process stored', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ids-')), 'ids.db');
    const first = sqliteIdStore(database(file), options, () => 0);
    expect(await first.get('opik_span', ['t:s'])).toEqual(new Map());
    await first.putIfAbsent('opik_span', new Map([['t:s', 'span-id']]));
    expect(await first.get('opik_span', ['t:s'])).toEqual(new Map([['t:s', 'span-id']]));
    const again = sqliteIdStore(database(file), options, () => 10);
    expect(await again.get('opik_span', ['t:s'])).toEqual(new Map([['t:s', 'span-id']]));
    expect(await again.get('opik_trace', ['t'])).toEqual(new Map());
  });

  it('replaces a damaged row as if it were absent', async () => {
    const db = database();
    const store = sqliteIdStore(db, options, () => 0);
    await store.putIfAbsent('trace_timestamp', new Map([['t', '5']]));
    db.prepare("UPDATE opik_ids SET value = X'00', expires_at = 'soon'").run();
    expect(await store.get('trace_timestamp', ['t'])).toEqual(new Map());
    expect(await store.putIfAbsent('trace_timestamp', new Map([['t', '7']]))).toEqual(
      new Map([['t', '7']]),
    );
    expect(await store.get('trace_timestamp', ['t'])).toEqual(new Map([['t', '7']]));
  });
});
