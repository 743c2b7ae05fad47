/**
 * What an exporter remembers about Opik ids, kept behind one small interface so that the memory,
 * the `file_storage` extension (SQLite) and a store shared by several collectors can hold it.
 *
 * Keyspaces (keys are the caller's, already prefixed by nothing but `IdStoreOptions.namespace`):
 * - `trace_timestamp`: OTel trace id → the millisecond timestamp its Opik trace id is derived
 *   from, as Opik remembers it in Redis (`otelTraceId:…`, reference/opik.md §2): first stored wins.
 * - `opik_trace`: OTel trace id → the Opik trace id a span of that trace stated (`opik.trace_id`).
 * - `opik_span`: `<OTel trace id>:<OTel span id>` → the Opik span id that span stated (the
 *   exporter keeps those of top-level spans: the parents later spans look up).
 * - parked spans, per OTel trace id: records of spans filed under a stand-in trace while the
 *   trace's Opik id was unknown, taken back (and moved) once a span states it.
 *
 * Every call is batch-oriented and asynchronous. Calls issued in order are applied in that order
 * (a networked store pipelines the calls of one tick into one round trip). Every key a call
 * writes or reads lives `ttlMs` from then on (reads refresh the TTL, as Opik's `GETEX`).
 * Values are strings (timestamps in decimal).
 */
export interface IdStore {
  /**
   * For each key, the value stored first: a key that is absent (or expired) takes the given
   * value. Atomic per key, so concurrent writers agree on one winner. Returns every key's winner.
   */
  putIfAbsent(space: IdSpace, entries: ReadonlyMap<string, string>): Promise<Map<string, string>>;
  /** The stored values of those keys that have one. */
  get(space: IdSpace, keys: Iterable<string>): Promise<Map<string, string>>;
  /**
   * For each OTel trace id, appends the record to the trace's parked records, unless the trace
   * has an `opik_trace` entry: then nothing is parked and that Opik trace id is returned. Atomic
   * per trace with `putIfAbsent('opik_trace')` and `takeParked`, so a record is never parked
   * after the trace's id was stored and its parked records taken.
   */
  park(records: ReadonlyMap<string, string>): Promise<Map<string, string>>;
  /** Removes and returns the parked records of each OTel trace id that has some, oldest first. */
  takeParked(traceIds: Iterable<string>): Promise<Map<string, string[]>>;
}

export type IdSpace = 'trace_timestamp' | 'opik_trace' | 'opik_span';

export interface IdStoreOptions {
  /** How long an entry lives after it was last written or read (Opik's `OTEL_TTL_INTERVAL`). */
  readonly ttlMs: number;
  /** Bound for stores that keep entries in memory (least recently used forgotten first). */
  readonly maxEntries: number;
  /**
   * Keeps one Opik target's ids apart from another's (workspace and project, as Opik's own key):
   * the same OTel trace sent to two projects is two Opik traces.
   */
  readonly namespace: string;
}
