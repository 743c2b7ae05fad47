import { describe, expect, it } from 'vitest';
import { memoryTraceTimestampStore } from './trace-memory.js';

describe('memoryTraceTimestampStore', () => {
  const setup = (maxEntries = 100) => {
    let clock = 0;
    const store = memoryTraceTimestampStore({ ttlMs: 1000, maxEntries, now: () => clock });
    return { store, tick: (ms: number) => (clock += ms) };
  };

  it('keeps the first batch’s timestamp for later batches of the same trace', async () => {
    const { store } = setup();
    expect(await store.resolve(new Map([['t1', 500]]))).toEqual(new Map([['t1', 500]]));
    expect(await store.resolve(new Map([['t1', 100]]))).toEqual(new Map([['t1', 500]]));
  });

  it('forgets a trace after the TTL, and every read refreshes it', async () => {
    const { store, tick } = setup();
    await store.resolve(new Map([['t1', 500]]));
    tick(900);
    await store.resolve(new Map([['t1', 1]]));
    tick(900);
    expect((await store.resolve(new Map([['t1', 2]]))).get('t1')).toBe(500);
    tick(1000);
    expect((await store.resolve(new Map([['t1', 3]]))).get('t1')).toBe(3);
  });

  it('forgets the least recently used traces beyond max_entries', async () => {
    const { store } = setup(2);
    await store.resolve(new Map([['a', 1]]));
    await store.resolve(new Map([['b', 2]]));
    await store.resolve(new Map([['a', 9]]));
    await store.resolve(new Map([['c', 3]]));
    expect(store.size).toBe(2);
    expect((await store.resolve(new Map([['a', 10]]))).get('a')).toBe(1);
    expect((await store.resolve(new Map([['b', 20]]))).get('b')).toBe(20);
  });
});
