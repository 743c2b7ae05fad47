import { describe, expect, it } from 'vitest';
import { type FallbackEvents, fallbackIdStore } from './fallback-id-store.js';
import type { IdStore } from './id-store.js';
import { memoryIdStore } from './memory-id-store.js';

const OPTIONS = { ttlMs: 60_000, maxEntries: 1000, namespace: 'ws|p' };
const m = (entries: Record<string, string>) => new Map(Object.entries(entries));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A shared store that can be down (every call rejects), slow (answers, and applies, late), or
 * replaced by an empty one (a Redis restarted without its data).
 */
function flaky() {
  const state = { down: false, delayMs: 0, calls: 0, inner: memoryIdStore(OPTIONS) };
  const wrap =
    <K extends keyof IdStore>(name: K) =>
    async (...a: Parameters<IdStore[K]>): Promise<Awaited<ReturnType<IdStore[K]>>> => {
      state.calls++;
      if (state.down) throw new Error('connect ECONNREFUSED');
      if (state.delayMs > 0) await sleep(state.delayMs);
      return (state.inner[name] as (...x: unknown[]) => never)(...a);
    };
  const store: IdStore = {
    putIfAbsent: wrap('putIfAbsent'),
    get: wrap('get'),
    park: wrap('park'),
    takeParked: wrap('takeParked'),
  };
  return { store, state };
}

function setup(startShared = true) {
  const shared = flaky();
  const remote: IdStore = {
    putIfAbsent: (...a) => shared.state.inner.putIfAbsent(...a),
    get: (...a) => shared.state.inner.get(...a),
    park: (...a) => shared.state.inner.park(...a),
    takeParked: (...a) => shared.state.inner.takeParked(...a),
  };
  const local = memoryIdStore(OPTIONS);
  const seen = { failed: 0, local: 0, reconciled: 0, split: new Map<string, number>() };
  const events: FallbackEvents = {
    failed: () => {
      seen.failed++;
    },
    answeredLocally: () => {
      seen.local++;
    },
    reconciled: (n) => {
      seen.reconciled += n;
    },
    split: (space, n) => {
      seen.split.set(space, (seen.split.get(space) ?? 0) + n);
    },
  };
  const store = fallbackIdStore(shared.store, local, { timeoutMs: 50, startShared }, events);
  return { store, remote, shared: shared.state, local, seen };
}

describe('fallbackIdStore', () => {
  it('uses the shared store while it answers, and local memory learns its answers', async () => {
    const { store, remote, local, seen } = setup();
    await remote.putIfAbsent('trace_timestamp', m({ t1: '100' }));
    expect(await store.putIfAbsent('trace_timestamp', m({ t1: '500', t2: '7' }))).toEqual(
      m({ t1: '100', t2: '7' }),
    );
    expect(local.entries('trace_timestamp')).toEqual(m({ t1: '100', t2: '7' }));
    expect(store.shared).toBe(true);
    expect(seen.local).toBe(0);
  });

  it('answers from local memory once the shared store fails: known traces keep their time', async () => {
    const { store, shared, seen } = setup();
    await store.putIfAbsent('trace_timestamp', m({ t1: '100' }));
    shared.down = true;
    expect(await store.putIfAbsent('trace_timestamp', m({ t1: '500', t2: '7' }))).toEqual(
      m({ t1: '100', t2: '7' }),
    );
    expect(store.shared).toBe(false);
    const calls = shared.calls;
    expect(await store.get('trace_timestamp', ['t2'])).toEqual(m({ t2: '7' }));
    expect(shared.calls).toBe(calls); // no waiting on a store that is down
    expect(seen).toMatchObject({ failed: 1, local: 2 });
  });

  it('answers a slow call locally, and learns the winner the shared store decided late', async () => {
    const { store, remote, shared, local, seen } = setup();
    await remote.putIfAbsent('trace_timestamp', m({ t1: '100' }));
    shared.delayMs = 120;
    expect(await store.putIfAbsent('trace_timestamp', m({ t1: '500' }))).toEqual(m({ t1: '500' }));
    await sleep(150);
    expect(local.entries('trace_timestamp')).toEqual(m({ t1: '100' }));
    expect(seen.split.get('trace_timestamp')).toBe(1);
  });

  it('reconciles: stores what the shared store lost, adopts what another collector stored first', async () => {
    const { store, remote, shared, local, seen } = setup();
    await store.putIfAbsent('trace_timestamp', m({ before: '1' }));
    shared.down = true;
    await store.putIfAbsent('trace_timestamp', m({ mine: '2', theirs: '3' }));
    await store.putIfAbsent('opik_trace', m({ stated: 'T' }));
    // Meanwhile Redis restarted empty and another collector stored its own time for `theirs`.
    shared.inner = memoryIdStore(OPTIONS);
    shared.down = false;
    await remote.putIfAbsent('trace_timestamp', m({ theirs: '9' }));
    await store.reconcile();
    expect(store.shared).toBe(true);
    expect(await remote.get('trace_timestamp', ['before', 'mine', 'theirs'])).toEqual(
      m({ before: '1', mine: '2', theirs: '9' }),
    );
    expect(await remote.get('opik_trace', ['stated'])).toEqual(m({ stated: 'T' }));
    expect(local.entries('trace_timestamp').get('theirs')).toBe('9');
    expect(seen.split).toEqual(new Map([['trace_timestamp', 1]]));
    expect(seen.reconciled).toBe(4);
  });

  it('hands over what was written while reconciling before it uses the shared store again', async () => {
    const { store, remote, shared } = setup(false);
    await store.putIfAbsent('trace_timestamp', m({ a: '1' }));
    shared.delayMs = 10;
    const done = store.reconcile();
    await sleep(1);
    // Answered locally while the first round is under way, handed over in a second round.
    await store.putIfAbsent('trace_timestamp', m({ b: '2' }));
    await done;
    expect(store.shared).toBe(true);
    expect(await remote.get('trace_timestamp', ['a', 'b'])).toEqual(m({ a: '1', b: '2' }));
  });

  it('stays local when the shared store fails while reconciling, and hands everything over later', async () => {
    const { store, remote, shared } = setup(false);
    await store.putIfAbsent('trace_timestamp', m({ a: '1' }));
    await store.park(m({ x: 'r1' }));
    shared.down = true;
    await expect(store.reconcile()).rejects.toThrow(/ECONNREFUSED/);
    expect(store.shared).toBe(false);
    shared.down = false;
    await store.reconcile();
    expect(await remote.get('trace_timestamp', ['a'])).toEqual(m({ a: '1' }));
    expect(await remote.takeParked(['x'])).toEqual(new Map([['x', ['r1']]]));
  });

  it('parks locally parked records in the shared store; those of a trace stated meanwhile are a split', async () => {
    const { store, remote, seen } = setup(false);
    await store.park(m({ x: 'r1', y: 'r2' }));
    await store.park(m({ x: 'r3' }));
    await remote.putIfAbsent('opik_trace', m({ y: 'T' }));
    await store.reconcile();
    expect(await remote.takeParked(['x', 'y'])).toEqual(new Map([['x', ['r1', 'r3']]]));
    expect(seen.split).toEqual(new Map([['parked', 1]]));
  });

  it('parks again what a slow takeParked took from the shared store after its caller gave up', async () => {
    const { store, remote, shared } = setup();
    await remote.park(m({ x: 'r1' }));
    shared.delayMs = 120;
    expect(await store.takeParked(['x'])).toEqual(new Map());
    await sleep(150);
    shared.delayMs = 0;
    await store.reconcile();
    expect(await remote.takeParked(['x'])).toEqual(new Map([['x', ['r1']]]));
  });
});
