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
});
