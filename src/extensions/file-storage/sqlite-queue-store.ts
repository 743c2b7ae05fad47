import type { Logger } from 'pino';
import { errorMessage } from '../../errors/errors.js';
import { encodeTracesRequest, storedTracesRequest } from '../../otlp/proto-codec.js';
import type { Traces } from '../../pdata/traces.js';
import type { QueueEntry, QueueStore, QueueTotals } from '../../storage/queue-store.js';
import { StorageUnavailableError } from '../../storage/unavailable.js';
import { type SqliteDatabase, unsynced } from './database.js';

interface Pending {
  readonly rows: ReadonlyArray<{
    payload: Uint8Array;
    items: number;
    bytes: number;
    traces: Traces;
  }>;
  resolve(): void;
  reject(err: unknown): void;
}

export interface SqliteQueueOptions {
  /** Where a fault of the disk or a request set aside is told. */
  readonly logger: Logger;
  /** Told of each stored request that cannot be read (after it was set aside). */
  readonly onSetAside?: () => void;
}

/**
 * A queue in SQLite (WAL), one row per request, encoded as OTLP protobuf (which carries pdata
 * exactly). `put` resolves only after the rows are committed; all `put`s of one event-loop turn
 * share one transaction, and so one disk sync (group commit). Rows left at shutdown or by a crash
 * are taken again by the next process.
 *
 * What this process put is also kept in memory until it is taken (up to `FRESH_BYTES`), so that a
 * consumer keeping up does not read back and scan the bytes it has just written.
 *
 * Faults of the disk: a commit that fails (disk full, read-only) rejects its `put`s with
 * `StorageUnavailableError` and changes nothing. Rows that cannot be deleted (SQLite needs room
 * in its log even to delete) stay, counted, and their deletion is tried again with every later
 * `remove` and commit; a restart before then delivers them again (at least once). A row that
 * cannot be read back (its bytes damaged) is moved to the table `queue_set_aside` with the reason,
 * logged and counted, and the queue goes on with the next row.
 */
export class SqliteQueueStore implements QueueStore {
  readonly totals: QueueTotals = { requests: 0, items: 0, bytes: 0 };
  private readonly pending: Pending[] = [];
  private flushScheduled = false;
  private cursor = 0;
  private waitingCount = 0;
  private readonly takenItems = new Map<number, { items: number; bytes: number }>();
  /** Rows put by this process and not yet taken, with the requests they store. */
  private readonly fresh = new Map<number, { traces: Traces; items: number; bytes: number }>();
  private freshBytes = 0;
  /** Taken rows handed back (`release`), handed out again first. */
  private released: number[] = [];
  /** Delivered rows whose DELETE failed; deleted with the next write that succeeds. */
  private readonly undeleted = new Set<number>();
  private readonly insert;
  private readonly selectAfter;
  private readonly payloadOf;
  private readonly selectOne;
  private readonly deleteOne;
  private readonly selectOldest;
  private readonly setAsideOne;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly options: SqliteQueueOptions,
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS queue (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      items INTEGER NOT NULL,
      bytes INTEGER NOT NULL,
      payload BLOB NOT NULL
    );
    CREATE TABLE IF NOT EXISTS queue_set_aside (
      seq INTEGER PRIMARY KEY,
      set_aside_at TEXT NOT NULL,
      reason TEXT NOT NULL,
      items, bytes, payload
    )`);
    this.insert = db.prepare('INSERT INTO queue (items, bytes, payload) VALUES (?, ?, ?)');
    // Without the payload: a fresh row's is not read (SQLite leaves its overflow pages alone).
    this.selectAfter = db.prepare(
      'SELECT seq, items, bytes FROM queue WHERE seq > ? ORDER BY seq LIMIT ?',
    );
    this.payloadOf = db.prepare('SELECT payload FROM queue WHERE seq = ?').pluck();
    this.selectOne = db.prepare('SELECT seq, items, bytes, payload FROM queue WHERE seq = ?');
    this.deleteOne = db.prepare('DELETE FROM queue WHERE seq = ?');
    this.selectOldest = db.prepare(
      'SELECT seq, items, bytes, payload FROM queue WHERE seq > ? ORDER BY seq LIMIT 1',
    );
    const moveAside = db.prepare(
      'INSERT OR REPLACE INTO queue_set_aside (seq, set_aside_at, reason, items, bytes, payload) SELECT seq, ?, ?, items, bytes, payload FROM queue WHERE seq = ?',
    );
    this.setAsideOne = db.transaction((seq: number, reason: string) => {
      moveAside.run(new Date().toISOString(), reason, seq);
      this.deleteOne.run(seq);
    });
    const row = db
      .prepare(
        'SELECT COUNT(*) AS n, COALESCE(SUM(items), 0) AS items, COALESCE(SUM(bytes), 0) AS bytes FROM queue',
      )
      .get() as {
      n: number;
      items: number;
      bytes: number;
    };
    this.totals.requests = row.n;
    this.totals.items = row.items;
    this.totals.bytes = row.bytes;
    this.waitingCount = row.items;
  }

  put(requests: ReadonlyArray<{ traces: Traces; items: number; bytes: number }>): Promise<void> {
    const rows = requests.map((r) => {
      const payload = encodeTracesRequest(r.traces);
      return { payload, items: r.items, bytes: payload.byteLength, traces: r.traces };
    });
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ rows, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits every request put since the last flush in one transaction. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending.splice(0);
    const seqs: number[] = [];
    try {
      this.db.transaction(() => {
        for (const p of batch) {
          for (const r of p.rows) {
            seqs.push(Number(this.insert.run(r.items, r.bytes, r.payload).lastInsertRowid));
          }
        }
      })();
    } catch (err) {
      const refused = new StorageUnavailableError('the sending queue cannot store the data', err);
      for (const p of batch) p.reject(refused);
      return;
    }
    let k = 0;
    for (const p of batch) {
      for (const r of p.rows) {
        const seq = seqs[k++]!;
        if (this.freshBytes + r.bytes <= FRESH_BYTES) {
          this.fresh.set(seq, { traces: r.traces, items: r.items, bytes: r.bytes });
          this.freshBytes += r.bytes;
        }
        this.totals.requests++;
        this.totals.items += r.items;
        this.totals.bytes += r.bytes;
        this.waitingCount += r.items;
      }
      p.resolve();
    }
    if (this.undeleted.size > 0) this.remove([]);
  }

  get waitingItems(): number {
    return this.waitingCount;
  }

  take(maxItems: number): QueueEntry[] {
    const out: QueueEntry[] = [];
    let items = 0;
    const fits = (row: { items: number }) => out.length === 0 || items + row.items <= maxItems;
    while (this.released.length > 0) {
      const row = this.selectOne.get(this.released[0]) as Row | undefined;
      if (row && !fits(row)) return out;
      this.released.shift();
      const entry = row && this.read(row);
      if (!entry) continue;
      out.push(entry);
      items += entry.items;
      this.waitingCount -= entry.items;
    }
    // A page at a time: a row that cannot be read is set aside (a write), which SQLite does not
    // allow while a query is still being stepped through.
    for (;;) {
      const page = this.selectAfter.all(this.cursor, PAGE_ROWS) as Omit<Row, 'payload'>[];
      if (page.length === 0) return out;
      for (const meta of page) {
        if (!fits(meta)) return out;
        this.cursor = meta.seq;
        const entry =
          this.takeFresh(meta.seq) ??
          this.read({ ...meta, payload: this.payloadOf.get(meta.seq) as Buffer });
        if (!entry) continue;
        out.push(entry);
        items += entry.items;
        this.takenItems.set(meta.seq, { items: entry.items, bytes: entry.bytes });
        this.waitingCount -= entry.items;
      }
    }
  }

  release(seqs: readonly number[]): void {
    for (const seq of seqs) {
      const t = this.takenItems.get(seq);
      if (!t || this.released.includes(seq)) continue;
      this.released.push(seq);
      this.waitingCount += t.items;
    }
    this.released.sort((a, b) => a - b);
  }

  remove(seqs: readonly number[]): void {
    for (const seq of seqs) this.undeleted.add(seq);
    const doomed = [...this.undeleted];
    try {
      // A deletion lost to a power cut only sends its rows again (at least once).
      unsynced(this.db, () =>
        this.db.transaction(() => {
          for (const seq of doomed) this.deleteOne.run(seq);
        })(),
      );
    } catch (err) {
      if (doomed.length === seqs.length) {
        this.options.logger.warn(
          { requests: doomed.length, error: errorMessage(err) },
          'cannot delete delivered requests from the queue store (is the disk full?); they stay until a later write succeeds, and are sent again if the collector restarts first',
        );
      }
      return;
    }
    for (const seq of doomed) {
      this.undeleted.delete(seq);
      const t = this.takenItems.get(seq);
      if (!t) continue;
      this.takenItems.delete(seq);
      this.totals.requests--;
      this.totals.items -= t.items;
      this.totals.bytes -= t.bytes;
    }
  }

  dropOldest(): QueueEntry | undefined {
    const row = this.selectOldest.get(this.cursor) as Row | undefined;
    if (!row) return undefined;
    try {
      this.deleteOne.run(row.seq);
    } catch {
      return undefined; // the disk cannot even delete: the queue refuses instead
    }
    this.takeFresh(row.seq);
    this.totals.requests--;
    this.totals.items -= row.items;
    this.totals.bytes -= row.bytes;
    this.waitingCount -= row.items;
    return this.entry(row);
  }

  close(): void {
    this.fresh.clear();
    this.freshBytes = 0;
    // Pending puts were never acknowledged; the storage closes the database itself.
    for (const p of this.pending.splice(0)) p.reject(new Error('queue closed'));
  }

  /** The row as an entry; a row that cannot be read is set aside and counted, and gives none. */
  private read(row: Row): QueueEntry | undefined {
    try {
      if (!Number.isSafeInteger(row.items) || row.items < 0) {
        throw new Error(`its item count is ${JSON.stringify(row.items)}`);
      }
      if (!(row.payload instanceof Uint8Array)) throw new Error('its payload is not bytes');
      return this.entry(row);
    } catch (err) {
      this.setAside(row, errorMessage(err));
      return undefined;
    }
  }

  private setAside(row: Row, reason: string): void {
    let where = 'moved to the table queue_set_aside of the same file';
    try {
      this.setAsideOne(row.seq, reason);
    } catch (err) {
      where = `left in place, skipped until the next start (cannot move it: ${errorMessage(err)})`;
    }
    const items = Number.isSafeInteger(row.items) ? row.items : 0;
    this.totals.requests--;
    this.totals.items -= items;
    this.totals.bytes -= Number.isSafeInteger(row.bytes) ? row.bytes : 0;
    this.waitingCount -= items;
    this.options.logger.error(
      { seq: row.seq, reason: reason.slice(0, 500) },
      `a stored request cannot be read and is not delivered; it was ${where}`,
    );
    this.options.onSetAside?.();
  }

  /** The entry of a row this process put, from memory (and forgotten there), if it is kept. */
  private takeFresh(seq: number): QueueEntry | undefined {
    const kept = this.fresh.get(seq);
    if (!kept) return undefined;
    this.fresh.delete(seq);
    this.freshBytes -= kept.bytes;
    return { seq, ...kept };
  }

  private entry(row: Row): QueueEntry {
    return {
      seq: row.seq,
      items: row.items,
      bytes: row.bytes,
      traces: storedTracesRequest(row.payload),
    };
  }
}

/** At most this many bytes of requests put and not yet taken are kept in memory as well. */
const FRESH_BYTES = 16 * 1024 * 1024;

/** Rows read per query while taking. */
const PAGE_ROWS = 64;

interface Row {
  seq: number;
  items: number;
  bytes: number;
  payload: Buffer;
}
