import { EntrySlots } from './entry-slots.js';
import { FrontCursor } from './front-cursor.js';
import type { IdSpace, IdStore, IdStoreOptions } from './id-store.js';

type Space = IdSpace | 'parked';

/** An entry's numbers: when it expires, and when it was last used (in the store's own count). */
const EXPIRY = 0;
const USED = 1;

/**
 * One keyspace: its keys, least recently used first, each with its entry's slot in the store's
 * `EntrySlots`; and which of them is the oldest.
 */
class KeySpace {
  readonly map = new Map<string, number>();
  private readonly front = new FrontCursor(() => this.map.entries());
  private head: [string, number] | undefined;
  private headUsed = 0;

  constructor(private readonly slots: EntrySlots) {}

  /**
   * The least recently used entry. The one found last is still it while its key has the same
   * slot with the same use (a use moves an entry to the end, and gives it a new count).
   */
  oldest(): [string, number] | undefined {
    for (;;) {
      const head = this.head;
      if (
        head &&
        this.map.get(head[0]) === head[1] &&
        this.slots.get(USED, head[1]) === this.headUsed
      ) {
        return head;
      }
      this.head = this.front.next();
      if (!this.head) return undefined;
      this.headUsed = this.slots.get(USED, this.head[1]);
    }
  }
}

/** The memory store, with what a store that mirrors a shared one needs besides the contract. */
export interface MemoryIdStore extends IdStore {
  readonly size: number;
  /** Sets these values, whatever was stored before (a shared store's winners). */
  overwrite(space: IdSpace, entries: ReadonlyMap<string, string>): void;
  /** The live entries of a keyspace, least recently used first. */
  entries(space: IdSpace): Map<string, string>;
  /** The OTel trace ids that have parked records. */
  parkedTraceIds(): string[];
}

/**
 * The id store in process memory: one Map per keyspace, each in least-recently-used order, keyed
 * by the caller's keys as given (one store serves one namespace, so no key is built), each key's
 * value, expiry and last use in `EntrySlots`; a TTL per entry; at most `maxEntries` entries in
 * all (a trace's parked records count as one), the least recently used of any keyspace
 * forgotten first. Gone with the process.
 */
export function memoryIdStore(
  options: IdStoreOptions,
  now: () => number = Date.now,
): MemoryIdStore {
  // A write holds one entry more than the bound until the oldest is forgotten.
  const slots = new EntrySlots(2, options.maxEntries + 1);
  const spaces = new Map<Space, KeySpace>();
  let size = 0;
  let uses = 0;
  const keySpace = (space: Space) => {
    let ks = spaces.get(space);
    if (!ks) {
      ks = new KeySpace(slots);
      spaces.set(space, ks);
    }
    return ks;
  };
  const spaceOf = (space: Space) => keySpace(space).map;

  /** The live entries of a space: each key with its slot. */
  function* live(space: Space): Generator<[string, number]> {
    const at = now();
    for (const [k, slot] of spaceOf(space)) if (slots.get(EXPIRY, slot) > at) yield [k, slot];
  }

  function forget(map: Map<string, number>, k: string, slot: number): void {
    map.delete(k);
    slots.release(slot);
    size--;
  }

  /** The slot of a live key, its TTL refreshed and moved to the end; -1 when there is none. */
  function read(space: Space, k: string, at: number): number {
    const map = spaceOf(space);
    const slot = map.get(k);
    if (slot === undefined) return -1;
    if (slots.get(EXPIRY, slot) <= at) {
      forget(map, k, slot);
      return -1;
    }
    map.delete(k);
    map.set(k, slot); // most recently used last
    touch(slot, at);
    return slot;
  }

  /** Records a use: the entry lives a TTL from now, and is the most recently used. */
  function touch(slot: number, at: number): void {
    slots.set(EXPIRY, slot, at + options.ttlMs);
    slots.set(USED, slot, ++uses);
  }

  /** A key's slot, most recently used, its old value (if any) left for the caller to replace. */
  function write(space: Space, k: string, at: number): number {
    const map = spaceOf(space);
    let slot = map.get(k);
    if (slot === undefined) {
      slot = slots.take();
      size++;
    } else {
      map.delete(k);
    }
    map.set(k, slot);
    touch(slot, at);
    return slot;
  }

  /** After a write: forgets the least recently used entries beyond the bound. */
  function bound(): void {
    while (size > options.maxEntries && evictOldest());
  }

  /** Forgets the least recently used entry: the oldest of the keyspaces' oldest. */
  function evictOldest(): boolean {
    let oldest: KeySpace | undefined;
    let head: [string, number] | undefined;
    for (const ks of spaces.values()) {
      const h = ks.oldest();
      if (h && (!head || slots.get(USED, h[1]) < slots.get(USED, head[1]))) {
        oldest = ks;
        head = h;
      }
    }
    if (!oldest || !head) return false;
    forget(oldest.map, head[0], head[1]);
    return true;
  }

  function put(space: IdSpace, key: string, value: string, at: number): void {
    slots.setValue(write(space, key, at), value);
    bound();
  }

  return {
    get size() {
      return size;
    },
    overwrite(space, given) {
      const at = now();
      for (const [key, value] of given) put(space, key, value, at);
    },
    entries(space) {
      return new Map([...live(space)].map(([key, slot]) => [key, slots.value(slot)]));
    },
    parkedTraceIds() {
      return [...live('parked')]
        .filter(([, slot]) => slots.records(slot)?.length)
        .map(([key]) => key);
    },
    async putIfAbsent(space: IdSpace, given: ReadonlyMap<string, string>) {
      const at = now();
      const out = new Map<string, string>();
      for (const [key, value] of given) {
        const slot = read(space, key, at);
        if (slot >= 0) {
          out.set(key, slots.value(slot));
        } else {
          put(space, key, value, at);
          out.set(key, value);
        }
      }
      return out;
    },
    async get(space: IdSpace, keys: Iterable<string>) {
      const at = now();
      const out = new Map<string, string>();
      for (const key of keys) {
        const slot = read(space, key, at);
        if (slot >= 0) out.set(key, slots.value(slot));
      }
      return out;
    },
    async park(records: ReadonlyMap<string, string>) {
      const at = now();
      const known = new Map<string, string>();
      for (const [traceId, record] of records) {
        const opikTrace = read('opik_trace', traceId, at);
        if (opikTrace >= 0) {
          known.set(traceId, slots.value(opikTrace));
          continue;
        }
        const parked = read('parked', traceId, at);
        const earlier = parked >= 0 ? (slots.records(parked) ?? []) : [];
        slots.setRecords(write('parked', traceId, at), [...earlier, record]);
        bound();
      }
      return known;
    },
    async takeParked(traceIds: Iterable<string>) {
      const at = now();
      const out = new Map<string, string[]>();
      for (const traceId of traceIds) {
        const slot = read('parked', traceId, at);
        if (slot < 0) continue;
        const parked = slots.records(slot);
        forget(spaceOf('parked'), traceId, slot);
        if (parked?.length) out.set(traceId, parked);
      }
      return out;
    },
  };
}
