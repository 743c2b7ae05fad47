import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../../errors/errors.js';
import { openDatabase } from '../../extensions/file-storage/database.js';
import { spanCount } from '../../pdata/count.js';
import { makeSpan, makeTraces } from '../../pdata/span.js';
import type { Traces } from '../../pdata/traces.js';
import { silentLogger } from '../../telemetry/logger.js';
import { TestHost, testSettings } from '../../testing/settings.js';
import { type SendingQueueConfig, sendingQueueSchema } from './config.js';
import { MemoryQueueStore } from './memory-store.js';
import { createSendingQueue, type SendingQueue } from './sending-queue.js';
import { SqliteQueueStore } from './sqlite-store.js';
import type { QueueStore } from './store.js';

const batch = (n: number, tag = 'x'): Traces =>
  makeTraces(
    Array.from({ length: n }, (_, i) =>
      makeSpan({
        traceId: 'a'.repeat(32),
        spanId: `${i + 1}`.padStart(16, '0'),
        name: `${tag}${i}`,
      }),
    ),
  );
const names = (t: Traces[]) =>
  t.flatMap((b) =>
    b.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name))),
  );

function config(over: Partial<Record<keyof SendingQueueConfig, unknown>> = {}): SendingQueueConfig {
  return sendingQueueSchema.parse({
    enabled: true,
    num_consumers: 1,
    queue_size: 10,
    sizer: 'requests',
    block_on_overflow: false,
    drop_policy: 'refuse',
    ...over,
  });
}

const open: SendingQueue[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((q) => q.shutdown()));
});

function queue(
  c: SendingQueueConfig,
  store: QueueStore,
  deliver: (t: Traces, s: AbortSignal) => Promise<void>,
) {
  const dead: Array<{ traces: Traces; reason: string }> = [];
  const q = createSendingQueue({
    settings: testSettings('exporter', 'opik'),
    config: c,
    openStore: () => store,
    deliver,
    deadLetter: async (traces, reason) => {
      dead.push({ traces, reason });
    },
  });
  open.push(q);
  return { q, dead };
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};

describe('sending queue', () => {
  it('delivers what it is given, in order', async () => {
    const got: Traces[] = [];
    const { q } = queue(config(), new MemoryQueueStore(), async (t) => {
      got.push(t);
    });
    await q.start(new TestHost());
    await q.enqueue(batch(1, 'a'));
    await q.enqueue(batch(1, 'b'));
    await until(() => got.length === 2);
    expect(names(got)).toEqual(['a0', 'b0']);
  });

  it('refuses with a throttle (429) and Retry-After when full', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const { q } = queue(config({ queue_size: 2 }), new MemoryQueueStore(), () => gate);
    await q.start(new TestHost());
    await q.enqueue(batch(1));
    await q.enqueue(batch(1));
    const err = (await q.enqueue(batch(1)).catch((e: unknown) => e)) as RetryableError;
    expect(err).toBeInstanceOf(RetryableError);
    expect([err.throttled, err.retryAfterMs, err.message]).toEqual([
      true,
      1000,
      'sending_queue is full (queue_size 2 requests); retry later',
    ]);
    release();
  });

  it('drops the oldest waiting data to make room when drop_policy is oldest', async () => {
    const got: Traces[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const { q } = queue(
      config({ queue_size: 2, drop_policy: 'oldest' }),
      new MemoryQueueStore(),
      async (t) => {
        await gate;
        got.push(t);
      },
    );
    await q.start(new TestHost());
    for (const tag of ['a', 'b', 'c', 'd']) await q.enqueue(batch(1, tag));
    release();
    await until(() => got.length === 2);
    expect(names(got)).toEqual(['a0', 'd0']);
  });

  it('merges waiting requests into one delivery when batching is on', async () => {
    const got: Traces[] = [];
    const { q } = queue(
      config({ batch: { min_size: 5, flush_timeout: '50ms' } }),
      new MemoryQueueStore(),
      async (t) => {
        got.push(t);
      },
    );
    await q.start(new TestHost());
    await Promise.all([q.enqueue(batch(2, 'a')), q.enqueue(batch(3, 'b'))]);
    await until(() => got.length > 0);
    expect(got.map(spanCount)).toEqual([5]);
  });

  it('dead-letters a batch it gives up on, with the reason, and goes on', async () => {
    const got: Traces[] = [];
    const { q, dead } = queue(config(), new MemoryQueueStore(), async (t) => {
      if (names([t])[0] === 'bad0') throw new PermanentError('ERR_EXPORT_REJECTED', 'Opik said no');
      got.push(t);
    });
    await q.start(new TestHost());
    await q.enqueue(batch(1, 'bad'));
    await q.enqueue(batch(1, 'good'));
    await until(() => got.length === 1);
    expect(dead.map((d) => [names([d.traces]), d.reason])).toEqual([
      [['bad0'], 'given up: Opik said no'],
    ]);
  });

  it('keeps a persistent queue on disk at shutdown and delivers it after a restart', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'queue-')), 'q.db');
    const db1 = openDatabase(file, { fsync: true, busyTimeoutMs: 1000, logger: silentLogger() });
    const first = queue(
      config({ storage: 'file_storage' }),
      new SqliteQueueStore(db1),
      (_t, signal) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        ),
    );
    await first.q.start(new TestHost());
    await first.q.enqueue(batch(2, 'kept'));
    await first.q.enqueue(batch(1, 'also'));
    await first.q.shutdown();
    db1.close();

    const db2 = openDatabase(file, { fsync: true, busyTimeoutMs: 1000, logger: silentLogger() });
    const got: Traces[] = [];
    const second = queue(
      config({ storage: 'file_storage' }),
      new SqliteQueueStore(db2),
      async (t) => {
        got.push(t);
      },
    );
    await second.q.start(new TestHost());
    await until(() => got.length === 2);
    expect(names(got)).toEqual(['kept0', 'kept1', 'also0']);
    expect(first.dead).toEqual([]);
    await second.q.shutdown();
    expect((db2.prepare('SELECT COUNT(*) AS n FROM queue').get() as { n: number }).n).toBe(0);
    db2.close();
  });

  it('commits concurrent puts together and acknowledges each only after the commit', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'queue-')), 'q.db');
    const db = openDatabase(file, { fsync: true, busyTimeoutMs: 1000, logger: silentLogger() });
    const store = new SqliteQueueStore(db);
    const puts = Array.from({ length: 50 }, (_, i) =>
      store.put([{ traces: batch(1, `p${i}`), items: 1, bytes: 0 }]),
    );
    expect((db.prepare('SELECT COUNT(*) AS n FROM queue').get() as { n: number }).n).toBe(0);
    await Promise.all(puts);
    expect((db.prepare('SELECT COUNT(*) AS n FROM queue').get() as { n: number }).n).toBe(50);
    expect(store.totals).toEqual({ requests: 50, items: 50, bytes: expect.any(Number) });
    db.close();
  });

  it('refuses data once shutdown began', async () => {
    const { q } = queue(config(), new MemoryQueueStore(), async () => {});
    await q.start(new TestHost());
    await q.shutdown();
    await expect(q.enqueue(batch(1))).rejects.toThrow('the exporter is shutting down');
  });
});
