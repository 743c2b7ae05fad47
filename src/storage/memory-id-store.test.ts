import { describe, expect, it } from 'vitest';
import { describeIdStore } from '../testing/id-store-contract.js';
import { memoryIdStore } from './memory-id-store.js';

describeIdStore('memory', (options, now) => memoryIdStore(options, now));

describe('memoryIdStore', () => {
  it('forgets the least recently used entries beyond max_entries', async () => {
    const store = memoryIdStore({ ttlMs: 1000, maxEntries: 2, namespace: 'p' }, () => 0);
    const put = (k: string, v: string) => store.putIfAbsent('trace_timestamp', new Map([[k, v]]));
    await put('a', '1');
    await put('b', '2');
    await put('a', '9');
    await put('c', '3');
    expect(store.size).toBe(2);
    expect((await put('a', '10')).get('a')).toBe('1');
    expect((await put('b', '20')).get('b')).toBe('20');
  });

  it('forgets the least recently used entry of any keyspace, parked records counting as one', async () => {
    const store = memoryIdStore({ ttlMs: 1000, maxEntries: 3, namespace: 'p' }, () => 0);
    await store.putIfAbsent('trace_timestamp', new Map([['t1', '1']]));
    await store.park(new Map([['t2', 'r1']]));
    await store.park(new Map([['t2', 'r2']]));
    await store.putIfAbsent('opik_span', new Map([['t3:s', 'x']]));
    await store.get('trace_timestamp', ['t1']); // t1 used again: the parked trace is now oldest
    await store.putIfAbsent('opik_trace', new Map([['t4', 'y']]));
    expect(store.size).toBe(3);
    expect(store.parkedTraceIds()).toEqual([]);
    expect(await store.get('trace_timestamp', ['t1'])).toEqual(new Map([['t1', '1']]));
    expect(await store.get('opik_span', ['t3:s'])).toEqual(new Map([['t3:s', 'x']]));
    expect(store.entries('opik_trace')).toEqual(new Map([['t4', 'y']]));
  });

  it('keeps the same entries as a plain least-recently-used map, over many random calls', async () => {
    // The model: one Map over all keyspaces in use order, its first entry forgotten first.
    const model = new Map<string, string>();
    const use = (k: string, v: string) => {
      model.delete(k);
      model.set(k, v);
      while (model.size > 5) model.delete(model.keys().next().value!);
    };
    const store = memoryIdStore({ ttlMs: 1000, maxEntries: 5, namespace: 'p' }, () => 0);
    const spaces = ['trace_timestamp', 'opik_trace', 'opik_span'] as const;
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return (seed >>> 16) % n;
    };
    for (let i = 0; i < 2000; i++) {
      const space = spaces[random(3)]!;
      const key = `k${random(8)}`;
      const k = `${space}|${key}`;
      if (random(2) === 0) {
        const winner = (await store.putIfAbsent(space, new Map([[key, `v${i}`]]))).get(key)!;
        expect(winner).toBe(model.get(k) ?? `v${i}`);
        use(k, winner);
      } else {
        const got = (await store.get(space, [key])).get(key);
        expect(got).toBe(model.get(k));
        if (got !== undefined) use(k, got);
      }
      expect(store.size).toBe(model.size);
    }
    for (const space of spaces) {
      const expected = [...model].filter(([k]) => k.startsWith(`${space}|`));
      expect([...store.entries(space)]).toEqual(
        expected.map(([k, v]) => [k.slice(space.length + 1), v]),
      );
    }
  });

  it('knows an oldest entry used again since it was found is no longer the oldest', async () => {
    const store = memoryIdStore({ ttlMs: 1000, maxEntries: 3, namespace: 'p' }, () => 0);
    const put = (space: 'opik_trace' | 'opik_span', k: string) =>
      store.putIfAbsent(space, new Map([[k, k]]));
    await put('opik_span', 'b0');
    await put('opik_trace', 'a1');
    await put('opik_trace', 'a3');
    await put('opik_span', 'b4'); // forgets b0; a1 was found as the oldest of its keyspace
    await store.get('opik_trace', ['a1']); // a1 used again: a3 is now the oldest of all
    await put('opik_span', 'b5');
    expect([...store.entries('opik_trace').keys()]).toEqual(['a1']);
    expect([...store.entries('opik_span').keys()]).toEqual(['b4', 'b5']);
  });
});
