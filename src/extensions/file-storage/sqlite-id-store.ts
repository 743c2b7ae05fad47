import type { IdSpace, IdStore, IdStoreOptions } from '../../storage/id-store.js';
import { StorageUnavailableError } from '../../storage/unavailable.js';
import type { SqliteDatabase } from './database.js';

/**
 * The id store in a component's SQLite file (`file_storage`), so that a restart neither splits a
 * trace nor forgets the Opik ids spans stated. Each call is one transaction, done before the call
 * returns; expired rows are pruned a thousand at a time as it goes (found through an index on
 * their expiry, so a call that finds none costs one index look-up).
 */
export function sqliteIdStore(
  db: SqliteDatabase,
  options: IdStoreOptions,
  now: () => number = Date.now,
): IdStore {
  db.exec(`CREATE TABLE IF NOT EXISTS opik_ids (
    space TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (space, key)
  );
  CREATE TABLE IF NOT EXISTS opik_parked (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    trace_key TEXT NOT NULL,
    record TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS opik_parked_trace ON opik_parked (trace_key, seq);
  CREATE INDEX IF NOT EXISTS opik_ids_expiry ON opik_ids (expires_at);
  CREATE INDEX IF NOT EXISTS opik_parked_expiry ON opik_parked (expires_at);`);
  migrateTraceTimestamps(db, options.namespace);
  const ns = (key: string) => `${options.namespace}|${key}`;
  // A row whose value or expiry is not of its type (damaged) counts as absent: it is replaced.
  const live = (at: string) =>
    `typeof(opik_ids.value) = 'text' AND typeof(opik_ids.expires_at) IN ('integer', 'real') AND opik_ids.expires_at > ${at}`;
  /** Reads a live value and refreshes its TTL, in one statement. */
  const readLive = db.prepare(
    `UPDATE opik_ids SET expires_at = @until WHERE space = @space AND key = @key AND ${live('@at')} RETURNING value`,
  );
  /** Stores the value unless a live one is there; refreshes the TTL; returns the winner. */
  const putLive = db.prepare(
    `INSERT INTO opik_ids (space, key, value, expires_at) VALUES (@space, @key, @value, @until)
     ON CONFLICT (space, key) DO UPDATE SET
       value = CASE WHEN ${live('@at')} THEN opik_ids.value ELSE excluded.value END,
       expires_at = excluded.expires_at
     RETURNING value`,
  );
  const prune = db.prepare(
    'DELETE FROM opik_ids WHERE rowid IN (SELECT rowid FROM opik_ids WHERE expires_at <= ? LIMIT 1000)',
  );
  const parkOne = db.prepare(
    'INSERT INTO opik_parked (trace_key, record, expires_at) VALUES (?, ?, ?)',
  );
  const touchParked = db.prepare('UPDATE opik_parked SET expires_at = ? WHERE trace_key = ?');
  const parkedOf = db.prepare(
    'SELECT record FROM opik_parked WHERE trace_key = ? AND expires_at > ? ORDER BY seq',
  );
  const unpark = db.prepare('DELETE FROM opik_parked WHERE trace_key = ?');
  const pruneParked = db.prepare(
    'DELETE FROM opik_parked WHERE seq IN (SELECT seq FROM opik_parked WHERE expires_at <= ? LIMIT 1000)',
  );

  /** The live value of a key, its TTL refreshed. */
  function read(space: string, key: string, at: number): string | undefined {
    const row = readLive.get({ space, key, at, until: at + options.ttlMs }) as
      | { value: string }
      | undefined;
    return row?.value;
  }

  // Keyspaces that have rows: a look-up in one that has none (the `opik_*` spaces of a pipeline
  // whose spans state no Opik ids) is answered without asking SQLite, key by key.
  const anyIn = db.prepare('SELECT 1 FROM opik_ids WHERE space = ? LIMIT 1').pluck();
  const holding = new Set<string>(SPACES.filter((space) => anyIn.get(space) !== undefined));

  const putAll = db.transaction((space: IdSpace, given: ReadonlyMap<string, string>) => {
    holding.add(space);
    const at = now();
    const out = new Map<string, string>();
    const until = at + options.ttlMs;
    for (const [key, value] of given) {
      const row = putLive.get({ space, key: ns(key), value, at, until }) as { value: string };
      out.set(key, row.value);
    }
    prune.run(at);
    return out;
  });
  const getAll = db.transaction((space: IdSpace, keys: Iterable<string>) => {
    const at = now();
    const out = new Map<string, string>();
    if (!holding.has(space)) return out;
    for (const key of keys) {
      const value = read(space, ns(key), at);
      if (value !== undefined) out.set(key, value);
    }
    return out;
  });
  const parkAll = db.transaction((records: ReadonlyMap<string, string>) => {
    const at = now();
    const known = new Map<string, string>();
    for (const [traceId, record] of records) {
      const opikTrace = holding.has('opik_trace') ? read('opik_trace', ns(traceId), at) : undefined;
      if (opikTrace !== undefined) known.set(traceId, opikTrace);
      else {
        parkOne.run(ns(traceId), record, at + options.ttlMs);
        touchParked.run(at + options.ttlMs, ns(traceId));
      }
    }
    pruneParked.run(at);
    return known;
  });
  const takeAll = db.transaction((traceIds: Iterable<string>) => {
    const at = now();
    const out = new Map<string, string[]>();
    for (const traceId of traceIds) {
      const rows = parkedOf.all(ns(traceId), at) as Array<{ record: unknown }>;
      unpark.run(ns(traceId));
      const records = rows.flatMap((r) => (typeof r.record === 'string' ? [r.record] : []));
      if (records.length > 0) out.set(traceId, records);
    }
    return out;
  });

  return {
    putIfAbsent: async (space, entries) => putAll(space, entries),
    get: async (space, keys) => getAll(space, keys),
    park: async (records) => parkAll(records),
    takeParked: async (traceIds) => takeAll(traceIds),
  };
}

/**
 * An id store opened on first use, whose every failure (the file cannot be opened, the disk is
 * full or read-only) is a `StorageUnavailableError`: the call's data is refused for now (its
 * sender is told to retry) and nothing stored before is lost. Opening is tried again on each
 * call until it succeeds.
 */
export function guardedIdStore(open: () => IdStore): IdStore {
  let store: IdStore | undefined;
  async function call<T>(op: (s: IdStore) => Promise<T>): Promise<T> {
    try {
      store ??= open();
      return await op(store);
    } catch (err) {
      if (err instanceof StorageUnavailableError) throw err;
      throw new StorageUnavailableError('the id store cannot read or write', err);
    }
  }
  return {
    putIfAbsent: (space, entries) => call((s) => s.putIfAbsent(space, entries)),
    get: (space, keys) => call((s) => s.get(space, keys)),
    park: (records) => call((s) => s.park(records)),
    takeParked: (traceIds) => call((s) => s.takeParked(traceIds)),
  };
}

const SPACES: readonly IdSpace[] = ['trace_timestamp', 'opik_trace', 'opik_span'];

/** Rows of the `trace_timestamps` table earlier versions kept move into `opik_ids` once. */
function migrateTraceTimestamps(db: SqliteDatabase, namespace: string): void {
  const old = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'trace_timestamps'")
    .get();
  if (!old) return;
  db.transaction(() => {
    db.prepare(
      `INSERT OR IGNORE INTO opik_ids (space, key, value, expires_at)
       SELECT 'trace_timestamp', ? || '|' || trace_id, CAST(timestamp_ms AS TEXT), expires_at FROM trace_timestamps`,
    ).run(namespace);
    db.exec('DROP TABLE trace_timestamps');
  })();
}
