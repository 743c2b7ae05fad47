import { describe, expect, it } from 'vitest';
import type { IdStore, IdStoreOptions } from '../storage/id-store.js';

/** Makes the store under test with these options and clock (a fresh, empty one each call). */
export type MakeIdStore = (
  options: IdStoreOptions,
  now: () => number,
) => IdStore | Promise<IdStore>;

/**
 * What every id store must do (`src/storage/id-store.ts`), run against each implementation: the
 * memory one, `file_storage`'s, and any shared one. Times are in thousandths of the TTL. A store
 * that keeps time itself (Redis expires keys by its own clock) runs with `realTimeTtlMs`: the
 * TTL is that long and the test waits for real, with 40% of the TTL as margin either side.
 */
export function describeIdStore(
  name: string,
  make: MakeIdStore,
  options: { readonly realTimeTtlMs?: number } = {},
): void {
  const setup = async (namespace = 'ws|project') => {
    const real = options.realTimeTtlMs;
    if (real !== undefined) {
      const store = await make({ ttlMs: real, maxEntries: 1000, namespace }, Date.now);
      const tick = (ms: number) => new Promise((r) => setTimeout(r, (ms * real) / 1000));
      return { store, tick };
    }
    let clock = 1_000;
    const store = await make({ ttlMs: 1000, maxEntries: 1000, namespace }, () => clock);
    const tick = async (ms: number) => {
      clock += ms;
    };
    return { store, tick };
  };
  const m = (entries: Record<string, string>) => new Map(Object.entries(entries));

  describe(`${name}: the id store contract`, () => {
    it('keeps the first value stored for a key and returns it to later writers', async () => {
      const { store } = await setup();
      expect(await store.putIfAbsent('trace_timestamp', m({ t1: '500', t2: '7' }))).toEqual(
        m({ t1: '500', t2: '7' }),
      );
      expect(await store.putIfAbsent('trace_timestamp', m({ t1: '100' }))).toEqual(
        m({ t1: '500' }),
      );
      expect(await store.get('trace_timestamp', ['t1', 't3'])).toEqual(m({ t1: '500' }));
    });

    it('keeps keyspaces and namespaces apart', async () => {
      const { store } = await setup();
      await store.putIfAbsent('opik_trace', m({ k: 'trace' }));
      await store.putIfAbsent('opik_span', m({ k: 'span' }));
      expect(await store.get('opik_trace', ['k'])).toEqual(m({ k: 'trace' }));
      expect(await store.get('trace_timestamp', ['k'])).toEqual(new Map());
    });

    it('forgets a key after the TTL, and every read or write refreshes it', async () => {
      const { store, tick } = await setup();
      await store.putIfAbsent('trace_timestamp', m({ t1: '500' }));
      await tick(600);
      expect(await store.get('trace_timestamp', ['t1'])).toEqual(m({ t1: '500' }));
      await tick(600);
      expect(await store.putIfAbsent('trace_timestamp', m({ t1: '2' }))).toEqual(m({ t1: '500' }));
      await tick(1400);
      expect(await store.putIfAbsent('trace_timestamp', m({ t1: '3' }))).toEqual(m({ t1: '3' }));
    });

    it('parks records per trace until taken, oldest first, and takes them once', async () => {
      const { store } = await setup();
      expect(await store.park(m({ a: 'r1', b: 'r2' }))).toEqual(new Map());
      await store.park(m({ a: 'r3' }));
      expect(await store.takeParked(['a', 'b', 'c'])).toEqual(
        new Map([
          ['a', ['r1', 'r3']],
          ['b', ['r2']],
        ]),
      );
      expect(await store.takeParked(['a', 'b'])).toEqual(new Map());
    });

    it('parks nothing for a trace whose Opik id is stored, and answers with that id', async () => {
      const { store } = await setup();
      await store.putIfAbsent('opik_trace', m({ a: 'T' }));
      expect(await store.park(m({ a: 'r1', b: 'r2' }))).toEqual(m({ a: 'T' }));
      expect(await store.takeParked(['a', 'b'])).toEqual(new Map([['b', ['r2']]]));
    });

    it('applies calls issued together in the order they were issued', async () => {
      const { store } = await setup();
      const [first, stored, second, taken] = await Promise.all([
        store.park(m({ a: 'r1' })),
        store.putIfAbsent('opik_trace', m({ a: 'T' })),
        store.park(m({ a: 'r2' })),
        store.takeParked(['a']),
      ]);
      expect([first, stored, second]).toEqual([new Map(), m({ a: 'T' }), m({ a: 'T' })]);
      expect(taken).toEqual(new Map([['a', ['r1']]]));
    });

    it('forgets parked records after the TTL', async () => {
      const { store, tick } = await setup();
      await store.park(m({ a: 'r1' }));
      await tick(1400);
      expect(await store.takeParked(['a'])).toEqual(new Map());
    });
  });
}
