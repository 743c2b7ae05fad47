import { FrontCursor } from './front-cursor.js';
import type { IdSpace, IdStore, IdStoreOptions } from './id-store.js';

/**
 * One key's value. A class, so every entry shares one shape: entries made by spreading an object
 * and then refreshed each got a hidden class of their own in V8 (about 160 bytes more per entry,
 * 16 MB at the default bound).
 */
class Entry {
  constructor(
    readonly value: string,
    readonly parked: string[] | undefined,
    public expiresAt: number,
    /** When it was last used, in the store's own count (orders entries across keyspaces). */
    public used: number,
  ) {}
}

type Space = IdSpace | 'parked';

/** One keyspace's entries, least recently used first, and which of them is the oldest. */
class KeySpace {
  readonly map = new Map<string, Entry>();
  private readonly front = new FrontCursor(() => this.map.entries());
  private head: [string, Entry] | undefined;
  private headUsed = 0;

  /**
   * The least recently used entry. The one found last is still it while it holds the same use
   * (a use moves an entry to the end, and gives it a new count).
   */
  oldest(): [string, Entry] | undefined {
    for (;;) {
      const head = this.head;
      if (head && this.map.get(head[0]) === head[1] && head[1].used === this.headUsed) return head;
      this.head = this.front.next();
      if (!this.head) return undefined;
      this.headUsed = this.head[1].used;
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
 * by the caller's keys as given (one store serves one namespace, so no key is built); a TTL per
 * entry; at most `maxEntries` entries in all (a trace's parked records count as one), the least
 * recently used of any keyspace forgotten first. Gone with the process.
 */
export function memoryIdStore(
  options: IdStoreOptions,
  now: () => number = Date.now,
): MemoryIdStore {
  const spaces = new Map<Space, KeySpace>();
  let size = 0;
  let uses = 0;
  const keySpace = (space: Space) => {
    let ks = spaces.get(space);
    if (!ks) {
      ks = new KeySpace();
      spaces.set(space, ks);
    }
    return ks;
  };
  const spaceOf = (space: Space) => keySpace(space).map;

  /** The live entries of a space, by their caller's key. */
  function* live(space: Space): Generator<[string, Entry]> {
    const at = now();
    for (const [k, e] of spaceOf(space)) if (e.expiresAt > at) yield [k, e];
  }

  function remove(space: Space, k: string): void {
    if (spaceOf(space).delete(k)) size--;
  }

  function read(space: Space, k: string, at: number): Entry | undefined {
    const map = spaceOf(space);
    const e = map.get(k);
    if (!e) return undefined;
    map.delete(k);
    if (e.expiresAt <= at) {
      size--;
      return undefined;
    }
    e.expiresAt = at + options.ttlMs;
    e.used = ++uses;
    map.set(k, e); // most recently used last
    return e;
  }

  function write(space: Space, k: string, value: string, parked: string[] | undefined, at: number) {
    remove(space, k);
    spaceOf(space).set(k, new Entry(value, parked, at + options.ttlMs, ++uses));
    size++;
    while (size > options.maxEntries && evictOldest());
  }

  /** Forgets the least recently used entry: the oldest of the keyspaces' oldest. */
  function evictOldest(): boolean {
    let oldest: KeySpace | undefined;
    let key = '';
    let used = Number.POSITIVE_INFINITY;
    for (const ks of spaces.values()) {
      const head = ks.oldest();
      if (head && head[1].used < used) {
        oldest = ks;
        key = head[0];
        used = head[1].used;
      }
    }
    if (!oldest) return false;
    oldest.map.delete(key);
    size--;
    return true;
  }

  return {
    get size() {
      return size;
    },
    overwrite(space, given) {
      const at = now();
      for (const [key, value] of given) write(space, key, value, undefined, at);
    },
    entries(space) {
      return new Map([...live(space)].map(([key, e]) => [key, e.value]));
    },
    parkedTraceIds() {
      return [...live('parked')].filter(([, e]) => e.parked?.length).map(([key]) => key);
    },
    async putIfAbsent(space: IdSpace, given: ReadonlyMap<string, string>) {
      const at = now();
      const out = new Map<string, string>();
      for (const [key, value] of given) {
        const winner = read(space, key, at)?.value ?? value;
        write(space, key, winner, undefined, at);
        out.set(key, winner);
      }
      return out;
    },
    async get(space: IdSpace, keys: Iterable<string>) {
      const at = now();
      const out = new Map<string, string>();
      for (const key of keys) {
        const e = read(space, key, at);
        if (e) out.set(key, e.value);
      }
      return out;
    },
    async park(records: ReadonlyMap<string, string>) {
      const at = now();
      const known = new Map<string, string>();
      for (const [traceId, record] of records) {
        const opikTrace = read('opik_trace', traceId, at);
        if (opikTrace) {
          known.set(traceId, opikTrace.value);
          continue;
        }
        const parked = read('parked', traceId, at)?.parked ?? [];
        write('parked', traceId, '', [...parked, record], at);
      }
      return known;
    },
    async takeParked(traceIds: Iterable<string>) {
      const at = now();
      const out = new Map<string, string[]>();
      for (const traceId of traceIds) {
        const e = read('parked', traceId, at);
        remove('parked', traceId);
        if (e?.parked?.length) out.set(traceId, e.parked);
      }
      return out;
    },
  };
}
