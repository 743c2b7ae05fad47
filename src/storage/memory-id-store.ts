import type { IdSpace, IdStore, IdStoreOptions } from './id-store.js';

interface Entry {
  value: string;
  parked?: string[];
  expiresAt: number;
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
 * The id store in process memory: one Map in least-recently-used order, a TTL per entry, at most
 * `maxEntries` entries (a trace's parked records count as one). Gone with the process.
 */
export function memoryIdStore(
  options: IdStoreOptions,
  now: () => number = Date.now,
): MemoryIdStore {
  const entries = new Map<string, Entry>();
  const keyOf = (space: string, key: string) => `${options.namespace}|${space}|${key}`;

  /** The live entries of a space, by their caller's key. */
  function* live(space: string): Generator<[string, Entry]> {
    const prefix = keyOf(space, '');
    const at = now();
    for (const [k, e] of entries) {
      if (k.startsWith(prefix) && e.expiresAt > at) yield [k.slice(prefix.length), e];
    }
  }

  function read(k: string, at: number): Entry | undefined {
    const e = entries.get(k);
    if (!e) return undefined;
    entries.delete(k);
    if (e.expiresAt <= at) return undefined;
    e.expiresAt = at + options.ttlMs;
    entries.set(k, e); // most recently used last
    return e;
  }

  function write(k: string, e: Omit<Entry, 'expiresAt'>, at: number): void {
    entries.delete(k);
    entries.set(k, { ...e, expiresAt: at + options.ttlMs });
    for (const oldest of entries.keys()) {
      if (entries.size <= options.maxEntries) break;
      entries.delete(oldest);
    }
  }

  return {
    get size() {
      return entries.size;
    },
    overwrite(space, given) {
      const at = now();
      for (const [key, value] of given) write(keyOf(space, key), { value }, at);
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
        const k = keyOf(space, key);
        const winner = read(k, at)?.value ?? value;
        write(k, { value: winner }, at);
        out.set(key, winner);
      }
      return out;
    },
    async get(space: IdSpace, keys: Iterable<string>) {
      const at = now();
      const out = new Map<string, string>();
      for (const key of keys) {
        const e = read(keyOf(space, key), at);
        if (e) out.set(key, e.value);
      }
      return out;
    },
    async park(records: ReadonlyMap<string, string>) {
      const at = now();
      const known = new Map<string, string>();
      for (const [traceId, record] of records) {
        const opikTrace = read(keyOf('opik_trace', traceId), at);
        if (opikTrace) {
          known.set(traceId, opikTrace.value);
          continue;
        }
        const k = keyOf('parked', traceId);
        const parked = read(k, at)?.parked ?? [];
        write(k, { value: '', parked: [...parked, record] }, at);
      }
      return known;
    },
    async takeParked(traceIds: Iterable<string>) {
      const at = now();
      const out = new Map<string, string[]>();
      for (const traceId of traceIds) {
        const k = keyOf('parked', traceId);
        const e = read(k, at);
        entries.delete(k);
        if (e?.parked?.length) out.set(traceId, e.parked);
      }
      return out;
    },
  };
}
