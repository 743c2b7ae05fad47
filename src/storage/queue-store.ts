import type { Traces } from '../pdata/traces.js';

/** One request waiting in a sending queue. */
export interface QueueEntry {
  readonly seq: number;
  readonly traces: Traces;
  readonly items: number;
  readonly bytes: number;
}

export interface QueueTotals {
  requests: number;
  items: number;
  bytes: number;
}

/**
 * Where a sending queue keeps its requests: in memory (`exporterhelper/queue/memory-store.ts`),
 * or in a storage extension (`file_storage`: SQLite). Entries are taken in order by the
 * consumers and removed only once their delivery has finished, so a store that survives a crash
 * gives at-least-once delivery.
 *
 * A store on disk meets disk faults without throwing where the queue cannot act on them:
 * `put` rejects with `StorageUnavailableError` (the data goes back to its sender); `remove` and
 * `dropOldest` that cannot write keep the rows and try again later; a stored request that can no
 * longer be read is set aside by the store (logged, counted) and never handed out.
 */
export interface QueueStore {
  /** Adds requests; resolves once they are as durable as the store makes them. */
  put(requests: ReadonlyArray<{ traces: Traces; items: number; bytes: number }>): Promise<void>;
  /** Entries not yet taken, oldest first, up to `maxItems` items (at least one entry). */
  take(maxItems: number): QueueEntry[];
  /** Items waiting and not yet taken. */
  readonly waitingItems: number;
  /** Forgets delivered (or given up) entries. Never throws. */
  remove(seqs: readonly number[]): void;
  /** Puts taken entries back, ahead of those waiting (their delivery could not finish). */
  release(seqs: readonly number[]): void;
  /** Removes the oldest entry not yet taken (drop_policy: oldest); undefined when it cannot. */
  dropOldest(): QueueEntry | undefined;
  /** Everything held, taken or not. */
  readonly totals: QueueTotals;
  close(): void;
}
