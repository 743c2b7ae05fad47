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
});
