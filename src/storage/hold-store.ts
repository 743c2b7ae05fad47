import type { Traces } from '../pdata/traces.js';

/** A span waiting in a processor's hold, as stored: one span in its resource and scope. */
export interface HoldSpanRecord {
  /** The record's own key (a span sent again after its release is another record). */
  readonly key: string;
  readonly traces: Traces;
}

/**
 * A group of the hold: when its wait ends, and the hold's own bookkeeping of it as facts (JSON
 * by key). Facts are only ever added: a write carries the new ones, a load all of them.
 */
export interface HoldGroupRecord {
  readonly group: string;
  readonly deadline: number;
  readonly facts: Readonly<Record<string, string>>;
}

/** A run or message the hold remembers until `expires` (its anchor, JSON). */
export interface HoldAnchorRecord {
  readonly key: string;
  readonly value: string;
  readonly expires: number;
}

/** What changed in the hold since the last write. */
export interface HoldChanges {
  readonly spans: readonly HoldSpanRecord[];
  readonly groups: readonly HoldGroupRecord[];
  readonly groupsGone: readonly string[];
  readonly anchors: readonly HoldAnchorRecord[];
  readonly anchorsGone: readonly string[];
}

/** Everything stored, in the order it was written (spans) or by deadline (groups). */
export interface HoldContents {
  readonly spans: HoldSpanRecord[];
  readonly groups: HoldGroupRecord[];
  readonly anchors: HoldAnchorRecord[];
}

/**
 * Where a processor that holds spans before it can pass them on (the `genai` processor's
 * `dify_hold`) keeps them, so that spans it acknowledged survive a crash: written before the
 * request that brought them is answered, removed once what they became was accepted downstream,
 * read back at the next start.
 *
 * `write` applies all its changes or none, and rejects with `StorageUnavailableError` when it
 * cannot (disk full, read-only): the request goes back to its sender. `remove` never throws: rows
 * it cannot delete stay, and their deletion is tried again with the next write.
 */
export interface HoldStore {
  /** Everything stored; throws `StorageUnavailableError` when the store cannot be read. */
  load(): HoldContents;
  write(changes: HoldChanges): Promise<void>;
  remove(spanKeys: readonly string[]): void;
  close(): void;
}
