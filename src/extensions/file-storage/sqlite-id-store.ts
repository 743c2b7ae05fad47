import { EntrySlots } from '../../storage/entry-slots.js';
import { FrontCursor } from '../../storage/front-cursor.js';
import type { IdStore, IdStoreOptions } from '../../storage/id-store.js';
import { StorageUnavailableError } from '../../storage/unavailable.js';
import { type SqliteDatabase, unsynced } from './database.js';

/**
 * A live entry's numbers in memory (its value is the slot's): when it expires, the log row
 * holding it, and the expiry that row carries (refreshes are written only when it falls behind,
 * see below).
 */
const EXPIRY = 0;
const SEQ = 1;
const STORED = 2;

/** A log row a call writes, and the entry it becomes once committed. */
interface Row {
  space: string;
  key: string;
  value: string;
  expiresAt: number;
  seq: number;
}

/**
 * The id store in a component's SQLite file (`file_storage`), so that a restart neither splits a
 * trace nor forgets the Opik ids spans stated.
 *
 * Ids are random keys: kept in a B-tree keyed by them, each new key would dirty a page of its own
 * (a batch of 100 new traces wrote about 100 pages). So the file holds a log instead (rows in
 * the order written: new rows share the last pages), and the live entries of this namespace are
 * held in memory, as the memory store holds them: at most `maxEntries`, least recently used
 * forgotten first (in memory and on disk). A call that changes nothing on
 * disk (a look-up) does not touch the file. Every write is one transaction, done before the call
 * returns, and memory changes only after it committed: a call the disk refuses changes nothing.
 * Its commit does not sync the disk (`unsynced`): it survives a crash of the process at once, and
 * a power loss from the next commit that syncs on, such as the persistent queue's commit of the
 * batch these ids were given to, which follows at once. (A power loss before that loses the
 * batch's ids and the batch itself, not yet acknowledged, together.)
 *
 * A read or write refreshes a key's TTL in memory at once; its row gets the new expiry only once
 * the one it carries is less than half a TTL away. After a restart (the log is read back at
 * start), a key may therefore expire up to half a TTL earlier than it would have in this process.
 */
export function sqliteIdStore(
  db: SqliteDatabase,
  options: IdStoreOptions,
  now: () => number = Date.now,
): IdStore {
  db.exec(`CREATE TABLE IF NOT EXISTS opik_id_log (
    seq INTEGER PRIMARY KEY,
    space TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS opik_parked (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    trace_key TEXT NOT NULL,
    record TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS opik_parked_trace ON opik_parked (trace_key, seq);`);
  migrate(db, options.namespace);
  const ttl = options.ttlMs;
  const prefix = `${options.namespace}|`;
  const slots = new EntrySlots(3, options.maxEntries);
  const entries = readLog(db, slots, prefix, now(), options.maxEntries);
  /** The least recently used first (`front-cursor.ts`: no walk over the holes each time). */
  const front = new FrontCursor(() => entries.entries());

  const append = db.prepare(
    'INSERT INTO opik_id_log (space, key, value, expires_at) VALUES (?, ?, ?, ?)',
  );
  const forget = db.prepare('DELETE FROM opik_id_log WHERE seq = ?');
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

  /** What one call writes: log rows (entries to hold once committed) and rows to delete. */
  class Changes {
    readonly rows = new Map<string, Row>();
    readonly used = new Set<string>();

    /** The live entry of a key (its TTL refreshed once committed), or undefined. */
    read(space: string, key: string, at: number): string | undefined {
      const k = `${space}|${key}`;
      const slot = entries.get(k);
      if (slot === undefined || slots.get(EXPIRY, slot) <= at) return undefined;
      this.used.add(k);
      const value = slots.value(slot);
      if (slots.get(STORED, slot) - at < ttl / 2) this.write(space, key, value, at);
      return value;
    }

    write(space: string, key: string, value: string, at: number): void {
      this.rows.set(`${space}|${key}`, { space, key, value, expiresAt: at + ttl, seq: 0 });
    }

    /**
     * Writes the rows in one transaction, with the deletion of the rows they replace and of the
     * least recently used entries they push out; then changes memory.
     */
    commit(at: number, more?: () => void): void {
      let added = 0;
      const replaced: number[] = [];
      for (const k of this.rows.keys()) {
        const old = entries.get(k);
        if (old !== undefined) replaced.push(slots.get(SEQ, old));
        else added++;
      }
      const evicted: Array<[string, number]> = [];
      const over = entries.size + added - options.maxEntries;
      // Entries this call uses are passed over: they move to the end below.
      for (let seen = 0; evicted.length < over && seen < entries.size; seen++) {
        const [k, slot] = front.next()!;
        if (!this.used.has(k) && !this.rows.has(k)) evicted.push([k, slot]);
      }
      if (this.rows.size > 0 || evicted.length > 0 || more) {
        try {
          unsynced(
            db,
            db.transaction(() => {
              for (const seq of replaced) forget.run(seq);
              for (const [, slot] of evicted) forget.run(slots.get(SEQ, slot));
              for (const row of this.rows.values()) {
                row.seq = Number(
                  append.run(row.space, prefix + row.key, row.value, row.expiresAt).lastInsertRowid,
                );
              }
              more?.();
            }),
          );
        } catch (err) {
          // Nothing changed: the entries passed over stay where they are.
          front.restart();
          throw err;
        }
      }
      for (const k of this.used) {
        const slot = entries.get(k)!;
        entries.delete(k); // most recently used last
        slots.set(EXPIRY, slot, at + ttl);
        entries.set(k, slot);
      }
      // Forgotten before the rows are added, so that their slots hold the new entries.
      for (const [k, slot] of evicted) {
        entries.delete(k);
        slots.release(slot);
      }
      for (const [k, row] of this.rows) {
        let slot = entries.get(k);
        if (slot === undefined) slot = slots.take();
        else entries.delete(k);
        hold(slots, slot, row.value, row.expiresAt, row.seq);
        entries.set(k, slot);
      }
    }
  }

  return {
    async putIfAbsent(space, given) {
      const at = now();
      const changes = new Changes();
      const out = new Map<string, string>();
      for (const [key, value] of given) {
        const winner = changes.read(space, key, at);
        if (winner === undefined) changes.write(space, key, value, at);
        out.set(key, winner ?? value);
      }
      changes.commit(at);
      return out;
    },
    async get(space, keys) {
      const at = now();
      const changes = new Changes();
      const out = new Map<string, string>();
      for (const key of keys) {
        const value = changes.read(space, key, at);
        if (value !== undefined) out.set(key, value);
      }
      changes.commit(at);
      return out;
    },
    async park(records) {
      const at = now();
      const changes = new Changes();
      const known = new Map<string, string>();
      const parked: Array<[string, string]> = [];
      for (const [traceId, record] of records) {
        const opikTrace = changes.read('opik_trace', traceId, at);
        if (opikTrace !== undefined) known.set(traceId, opikTrace);
        else parked.push([prefix + traceId, record]);
      }
      changes.commit(at, () => {
        for (const [traceKey, record] of parked) {
          parkOne.run(traceKey, record, at + ttl);
          touchParked.run(at + ttl, traceKey);
        }
        pruneParked.run(at);
      });
      return known;
    },
    takeParked: async (traceIds) =>
      db.transaction(() => {
        const at = now();
        const out = new Map<string, string[]>();
        for (const traceId of traceIds) {
          const rows = parkedOf.all(prefix + traceId, at) as Array<{ record: unknown }>;
          unpark.run(prefix + traceId);
          const records = rows.flatMap((r) => (typeof r.record === 'string' ? [r.record] : []));
          if (records.length > 0) out.set(traceId, records);
        }
        return out;
      })(),
  };
}

/** An entry's value and numbers, as the log row `seq` stores them. */
function hold(slots: EntrySlots, slot: number, value: string, expiresAt: number, seq: number) {
  slots.setValue(slot, value);
  slots.set(EXPIRY, slot, expiresAt);
  slots.set(SEQ, slot, seq);
  slots.set(STORED, slot, expiresAt);
}

/**
 * The live entries of a namespace in the log, oldest first (at most `max`: the newest), keyed by
 * keyspace and key. Expired rows, rows of the namespace beyond `max` and damaged rows (a value
 * or expiry not of its type) are deleted.
 */
function readLog(
  db: SqliteDatabase,
  slots: EntrySlots,
  prefix: string,
  at: number,
  max: number,
): Map<string, number> {
  // One transaction: the deletions below are one commit, not one each.
  return db.transaction(() => {
    db.prepare(
      "DELETE FROM opik_id_log WHERE typeof(value) <> 'text' OR typeof(expires_at) NOT IN ('integer', 'real') OR expires_at <= ?",
    ).run(at);
    const rows = db
      .prepare(
        'SELECT seq, space, substr(key, ?) AS key, value, expires_at FROM opik_id_log WHERE substr(key, 1, ?) = ? ORDER BY seq',
      )
      .all(prefix.length + 1, prefix.length, prefix) as Array<{
      seq: number;
      space: string;
      key: string;
      value: string;
      expires_at: number;
    }>;
    const entries = new Map<string, number>();
    const forget = db.prepare('DELETE FROM opik_id_log WHERE seq = ?');
    for (const r of rows) {
      const k = `${r.space}|${r.key}`;
      let slot = entries.get(k);
      if (slot === undefined) {
        slot = slots.take();
      } else {
        forget.run(slots.get(SEQ, slot));
        entries.delete(k);
      }
      hold(slots, slot, r.value, r.expires_at, r.seq);
      entries.set(k, slot);
    }
    for (const [k, slot] of entries) {
      if (entries.size <= max) break;
      entries.delete(k);
      forget.run(slots.get(SEQ, slot));
      slots.release(slot);
    }
    return entries;
  })();
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

/**
 * Earlier versions kept ids in a table keyed by them (`opik_ids`), and before that trace
 * timestamps in `trace_timestamps`: their live rows move into the log once.
 */
function migrate(db: SqliteDatabase, namespace: string): void {
  const has = (name: string) =>
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !==
    undefined;
  if (has('opik_ids')) {
    db.transaction(() => {
      db.exec(`INSERT INTO opik_id_log (space, key, value, expires_at)
        SELECT space, key, value, expires_at FROM opik_ids ORDER BY expires_at;
        DROP TABLE opik_ids`);
    })();
  }
  if (has('trace_timestamps')) {
    db.transaction(() => {
      db.prepare(
        `INSERT INTO opik_id_log (space, key, value, expires_at)
         SELECT 'trace_timestamp', ? || '|' || trace_id, CAST(timestamp_ms AS TEXT), expires_at FROM trace_timestamps`,
      ).run(namespace);
      db.exec('DROP TABLE trace_timestamps');
    })();
  }
}
