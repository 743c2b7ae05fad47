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
    const file = join(mkdtempSync(join(tmpdir(), 'ids-')), 'ids.db');
    await sqliteIdStore(database(file), options, () => 0).putIfAbsent(
      'trace_timestamp',
      new Map([['t', '5']]),
    );
    database(file).prepare("UPDATE opik_id_log SET value = X'00', expires_at = 'soon'").run();
    const store = sqliteIdStore(database(file), options, () => 0);
    expect(await store.get('trace_timestamp', ['t'])).toEqual(new Map());
    expect(await store.putIfAbsent('trace_timestamp', new Map([['t', '7']]))).toEqual(
      new Map([['t', '7']]),
    );
    expect(await store.get('trace_timestamp', ['t'])).toEqual(new Map([['t', '7']]));
  });

  it('holds at most maxEntries keys, forgetting the least recently used in memory and on disk', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ids-')), 'ids.db');
    const db = database(file);
    const store = sqliteIdStore(db, { ...options, maxEntries: 2 }, () => 0);
    await store.putIfAbsent('trace_timestamp', new Map([['a', '1']]));
    await store.putIfAbsent('trace_timestamp', new Map([['b', '2']]));
    await store.get('trace_timestamp', ['a']);
    await store.putIfAbsent('trace_timestamp', new Map([['c', '3']]));
    expect(await store.get('trace_timestamp', ['a', 'b', 'c'])).toEqual(
      new Map([
        ['a', '1'],
        ['c', '3'],
      ]),
    );
    expect(db.prepare('SELECT COUNT(*) FROM opik_id_log').pluck().get()).toBe(2);
    const again = sqliteIdStore(database(file), { ...options, maxEntries: 2 }, () => 0);
    expect(await again.get('trace_timestamp', ['a', 'b', 'c'])).toEqual(
      new Map([
        ['a', '1'],
        ['c', '3'],
      ]),
    );
  });

  it('writes nothing for a look-up, and a refreshed TTL once the stored one is less than half a TTL away', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ids-')), 'ids.db');
    const db = database(file);
    let clock = 0;
    const store = sqliteIdStore(db, options, () => clock);
    await store.putIfAbsent(
      'trace_timestamp',
      new Map([
        ['early', '1'],
        ['late', '2'],
      ]),
    );
    const rows = () => db.prepare('SELECT key, expires_at FROM opik_id_log ORDER BY seq').all();
    clock = 100;
    await store.get('trace_timestamp', ['early']);
    expect(rows()).toEqual([
      { key: 'ws|p|early', expires_at: 1000 },
      { key: 'ws|p|late', expires_at: 1000 },
    ]);
    clock = 600;
    await store.get('trace_timestamp', ['late', 'absent']);
    expect(rows()).toEqual([
      { key: 'ws|p|early', expires_at: 1000 },
      { key: 'ws|p|late', expires_at: 1600 },
    ]);
    // In this process both live a TTL after their last read; after a restart, `early` is gone
    // early (its refresh at 100 was not written), `late` is not.
    const again = sqliteIdStore(database(file), options, () => 1050);
    expect(await again.get('trace_timestamp', ['early', 'late'])).toEqual(new Map([['late', '2']]));
  });

  it('moves the rows of the keyed table earlier versions kept into the log', async () => {
    const db = database();
    db.exec(`CREATE TABLE opik_ids (space TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (space, key));
      INSERT INTO opik_ids VALUES ('opik_trace', 'ws|p|t', 'T', 5000), ('opik_trace', 'other|p|t', 'U', 5000), ('opik_span', 'ws|p|gone', 'S', 5)`);
    const store = sqliteIdStore(db, options, () => 10);
    expect(await store.get('opik_trace', ['t'])).toEqual(new Map([['t', 'T']]));
    expect(await store.get('opik_span', ['gone'])).toEqual(new Map());
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'opik_ids'").get()).toBe(
      undefined,
    );
    expect(db.prepare('SELECT key FROM opik_id_log ORDER BY seq').pluck().all()).toEqual([
      'ws|p|t',
      'other|p|t',
    ]);
  });
});
