/**
 * Where the exporter remembers, per OTel trace id, the timestamp its Opik trace id was derived
 * from, as Opik remembers it in Redis (`otelTraceId:…`, TTL `OTEL_TTL_INTERVAL`, refreshed on
 * read): the earliest span start in the first batch that carried the trace. Without it, a
 * trace whose spans arrive in several batches would split into several Opik traces.
 *
 * Asynchronous so that a persistent store (SQLite beside a persistent queue) can implement it.
 */
export interface TraceTimestampStore {
  /**
   * For each OTel trace id (lowercase hex) with the earliest start (ms) seen for it in this
   * batch: the remembered timestamp when there is one (its TTL is refreshed), else the candidate,
   * which is remembered from now on.
   */
  resolve(candidates: ReadonlyMap<string, number>): Promise<Map<string, number>>;
}

export interface MemoryStoreOptions {
  readonly ttlMs: number;
  /** Oldest entries are forgotten beyond this many (bounded memory under any load). */
  readonly maxEntries: number;
  readonly now?: () => number;
}

/** The in-memory store: a Map in least-recently-used order with a TTL per entry. */
export function memoryTraceTimestampStore(options: MemoryStoreOptions): TraceTimestampStore & {
  readonly size: number;
} {
  const now = options.now ?? Date.now;
  const entries = new Map<string, { timestampMs: number; expiresAt: number }>();

  function lookup(traceId: string, candidateMs: number, at: number): number {
    const found = entries.get(traceId);
    const timestampMs = found && found.expiresAt > at ? found.timestampMs : candidateMs;
    // Delete and set again so the Map's order stays least recently used first.
    entries.delete(traceId);
    entries.set(traceId, { timestampMs, expiresAt: at + options.ttlMs });
    return timestampMs;
  }

  function evict(): void {
    for (const key of entries.keys()) {
      if (entries.size <= options.maxEntries) return;
      entries.delete(key);
    }
  }

  return {
    get size() {
      return entries.size;
    },
    async resolve(candidates) {
      const at = now();
      const out = new Map<string, number>();
      for (const [traceId, candidateMs] of candidates) {
        out.set(traceId, lookup(traceId, candidateMs, at));
      }
      evict();
      return out;
    },
  };
}
