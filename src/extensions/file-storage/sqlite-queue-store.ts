import { encodeTracesRequest, storedTracesRequest } from '../../otlp/proto-codec.js';
import type { Traces } from '../../pdata/traces.js';
import type { QueueEntry, QueueStore, QueueTotals } from '../../storage/queue-store.js';
import type { SqliteDatabase } from './database.js';

interface Pending {
  readonly rows: ReadonlyArray<{ payload: Uint8Array; items: number; bytes: number }>;
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * A queue in SQLite (WAL), one row per request, encoded as OTLP protobuf (which carries pdata
 * exactly). `put` resolves only after the rows are committed; all `put`s of one event-loop turn
 * share one transaction, and so one disk sync (group commit). Rows left at shutdown or by a crash
 * are taken again by the next process.
 */
export class SqliteQueueStore implements QueueStore {
  readonly totals: QueueTotals = { requests: 0, items: 0, bytes: 0 };
  private readonly pending: Pending[] = [];
  private flushScheduled = false;
  private cursor = 0;
  private waitingCount = 0;
  private readonly takenItems = new Map<number, { items: number; bytes: number }>();
  private readonly insert;
  private readonly selectAfter;
  private readonly deleteOne;
  private readonly selectOldest;

  constructor(private readonly db: SqliteDatabase) {
    db.exec(`CREATE TABLE IF NOT EXISTS queue (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      items INTEGER NOT NULL,
      bytes INTEGER NOT NULL,
      payload BLOB NOT NULL
    )`);
    this.insert = db.prepare('INSERT INTO queue (items, bytes, payload) VALUES (?, ?, ?)');
    this.selectAfter = db.prepare(
      'SELECT seq, items, bytes, payload FROM queue WHERE seq > ? ORDER BY seq LIMIT ?',
    );
    this.deleteOne = db.prepare('DELETE FROM queue WHERE seq = ?');
    this.selectOldest = db.prepare(
      'SELECT seq, items, bytes, payload FROM queue WHERE seq > ? ORDER BY seq LIMIT 1',
    );
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
      return { payload, items: r.items, bytes: payload.byteLength };
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
    try {
      this.db.transaction(() => {
        for (const p of batch) for (const r of p.rows) this.insert.run(r.items, r.bytes, r.payload);
      })();
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    for (const p of batch) {
      for (const r of p.rows) {
        this.totals.requests++;
        this.totals.items += r.items;
        this.totals.bytes += r.bytes;
        this.waitingCount += r.items;
      }
      p.resolve();
    }
  }

  get waitingItems(): number {
    return this.waitingCount;
  }

  take(maxItems: number): QueueEntry[] {
    const out: QueueEntry[] = [];
    let items = 0;
    for (const row of this.selectAfter.iterate(this.cursor, 1000) as Iterable<Row>) {
      if (out.length > 0 && items + row.items > maxItems) break;
      out.push(this.entry(row));
      items += row.items;
      this.cursor = row.seq;
      this.takenItems.set(row.seq, { items: row.items, bytes: row.bytes });
      this.waitingCount -= row.items;
    }
    return out;
  }

  remove(seqs: readonly number[]): void {
    this.db.transaction(() => {
      for (const seq of seqs) this.deleteOne.run(seq);
    })();
    for (const seq of seqs) {
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
    this.deleteOne.run(row.seq);
    this.totals.requests--;
    this.totals.items -= row.items;
    this.totals.bytes -= row.bytes;
    this.waitingCount -= row.items;
    return this.entry(row);
  }

  close(): void {
    // Pending puts were never acknowledged; the storage closes the database itself.
    for (const p of this.pending.splice(0)) p.reject(new Error('queue closed'));
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

interface Row {
  seq: number;
  items: number;
  bytes: number;
  payload: Buffer;
}
