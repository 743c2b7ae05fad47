import type { SqliteDatabase } from '../../extensions/file-storage/database.js';
import type { TraceTimestampStore } from './trace-memory.js';

/**
 * The trace-timestamp memory in the exporter's SQLite store (beside its persistent queue), so a
 * restart does not split a trace whose spans keep arriving: same semantics as the in-memory store
 * (first timestamp wins, TTL refreshed on every read); expired rows are pruned as it goes.
 */
export function sqliteTraceTimestampStore(
  db: SqliteDatabase,
  options: { readonly ttlMs: number; readonly now?: () => number },
): TraceTimestampStore {
  const now = options.now ?? Date.now;
  db.exec(`CREATE TABLE IF NOT EXISTS trace_timestamps (
    trace_id TEXT PRIMARY KEY,
    timestamp_ms INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  )`);
  const select = db.prepare(
    'SELECT timestamp_ms, expires_at FROM trace_timestamps WHERE trace_id = ?',
  );
  const upsert = db.prepare(
    'INSERT INTO trace_timestamps (trace_id, timestamp_ms, expires_at) VALUES (?, ?, ?) ON CONFLICT(trace_id) DO UPDATE SET timestamp_ms = excluded.timestamp_ms, expires_at = excluded.expires_at',
  );
  const prune = db.prepare(
    'DELETE FROM trace_timestamps WHERE trace_id IN (SELECT trace_id FROM trace_timestamps WHERE expires_at <= ? LIMIT 1000)',
  );
  const resolveAll = db.transaction((candidates: ReadonlyMap<string, number>, at: number) => {
    const out = new Map<string, number>();
    for (const [traceId, candidateMs] of candidates) {
      const row = select.get(traceId) as { timestamp_ms: number; expires_at: number } | undefined;
      const ts = row && row.expires_at > at ? row.timestamp_ms : candidateMs;
      upsert.run(traceId, ts, at + options.ttlMs);
      out.set(traceId, ts);
    }
    prune.run(at);
    return out;
  });
  return {
    async resolve(candidates) {
      return resolveAll(candidates, now());
    },
  };
}
