import { mkdirSync, mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../../errors/errors.js';
import { fileStorageConfigSchema } from '../../extensions/file-storage/config.js';
import { createFileStorage } from '../../extensions/file-storage/file-storage.js';
import { spanCount } from '../../pdata/count.js';
import { makeSpan, makeTraces } from '../../pdata/span.js';
import type { Traces } from '../../pdata/traces.js';
import { replyFor } from '../../server/status.js';
import type { StorageExtension } from '../../storage/extension.js';
import { TestHost, testSettings } from '../../testing/settings.js';
import { hostWithFileStorage, metricValue } from '../../testing/storage-host.js';
import { countedDeadLetter } from '../dead-letter.js';
import { type Sender, senderOf } from '../sender.js';
import { type SendingQueueConfig, sendingQueueSchema } from './config.js';
import { withQueue } from './sending-queue.js';

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

const open: Sender<Traces>[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((q) => q.shutdown()));
});

/**
 * A queue in front of `deliver`. With `storage`, a host where it is the extension `file_storage`
 * (configure `storage: file_storage`); without, the queue keeps its own memory store.
 */
function queue(
  c: SendingQueueConfig,
  deliver: (t: Traces, s: AbortSignal) => Promise<void>,
  storage?: StorageExtension,
  /** The first this many dead-letter writes fail, as on a full disk. */
  unwritableDeadLetters = 0,
) {
  const dead: Array<{ traces: Traces; reason: string }> = [];
  let writes = 0;
  const settings = testSettings('exporter', 'opik');
  const q = withQueue(senderOf(deliver), {
    settings,
    config: c,
    backoff: {
      initialIntervalMs: 1,
      randomizationFactor: 0,
      multiplier: 2,
      maxIntervalMs: 4,
      maxElapsedTimeMs: 0,
    },
    deadLetter: countedDeadLetter(settings, async (traces, reason) => {
      if (writes++ < unwritableDeadLetters) {
        throw new RetryableError('ERR_DEAD_LETTER_UNWRITABLE', 'cannot write x.jsonl: ENOSPC');
      }
      dead.push({ traces, reason });
    }),
  });
  open.push(q);
  const host = new TestHost();
  if (storage) host.extensions.set('file_storage', storage);
  const never = new AbortController().signal;
  return { q, dead, host, settings, enqueue: (t: Traces) => q.send(t, never) };
}

const until = async (cond: () => boolean, tries = 500) => {
  for (let i = 0; i < tries && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};

describe('sending queue', () => {
  it('delivers what it is given, in order', async () => {
    const got: Traces[] = [];
    const { q, host, enqueue } = queue(config(), async (t) => {
      got.push(t);
    });
    await q.start(host);
    await enqueue(batch(1, 'a'));
    await enqueue(batch(1, 'b'));
    await until(() => got.length === 2);
    expect(names(got)).toEqual(['a0', 'b0']);
  });

  it('refuses with a throttle (429) and Retry-After when full', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const { q, host, enqueue } = queue(config({ queue_size: 2 }), () => gate);
    await q.start(host);
    await enqueue(batch(1));
    await enqueue(batch(1));
    const err = (await enqueue(batch(1)).catch((e: unknown) => e)) as RetryableError;
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
    const { q, host, enqueue } = queue(
      config({ queue_size: 2, drop_policy: 'oldest' }),
      async (t) => {
        await gate;
        got.push(t);
      },
    );
    await q.start(host);
    for (const tag of ['a', 'b', 'c', 'd']) await enqueue(batch(1, tag));
    release();
    await until(() => got.length === 2);
    expect(names(got)).toEqual(['a0', 'd0']);
  });

  it('merges waiting requests into one delivery when batching is on', async () => {
    const got: Traces[] = [];
    const { q, host, enqueue } = queue(
      config({ batch: { min_size: 5, flush_timeout: '50ms' } }),
      async (t) => {
        got.push(t);
      },
    );
    await q.start(host);
    await Promise.all([enqueue(batch(2, 'a')), enqueue(batch(3, 'b'))]);
    await until(() => got.length > 0);
    expect(got.map(spanCount)).toEqual([5]);
  });

  it('dead-letters a batch it gives up on, with the reason, and goes on', async () => {
    const got: Traces[] = [];
    const { q, dead, host, enqueue } = queue(config(), async (t) => {
      if (names([t])[0] === 'bad0') throw new PermanentError('ERR_EXPORT_REJECTED', 'Opik said no');
      got.push(t);
    });
    await q.start(host);
    await enqueue(batch(1, 'bad'));
    await enqueue(batch(1, 'good'));
    await until(() => got.length === 1);
    expect(dead.map((d) => [names([d.traces]), d.reason])).toEqual([
      [['bad0'], 'given up: Opik said no'],
    ]);
  });

  it('keeps a persistent queue on disk at shutdown and delivers it after a restart', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'queue-'));
    const storage = async () => {
      const s = createFileStorage(
        testSettings('extension', 'file_storage'),
        fileStorageConfigSchema.parse({
          directory,
          create_directory: true,
          fsync: true,
          timeout: '1s',
        }),
      );
      await s.start(new TestHost());
      return s;
    };
    const disk1 = await storage();
    const first = queue(
      config({ storage: 'file_storage' }),
      (_t, signal) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        ),
      disk1,
    );
    await first.q.start(first.host);
    await first.enqueue(batch(2, 'kept'));
    await first.enqueue(batch(1, 'also'));
    await first.q.shutdown();
    await disk1.shutdown();

    const disk2 = await storage();
    const got: Traces[] = [];
    const second = queue(
      config({ storage: 'file_storage' }),
      async (t) => {
        got.push(t);
      },
      disk2,
    );
    await second.q.start(second.host);
    await until(() => got.length === 2);
    expect(names(got)).toEqual(['kept0', 'kept1', 'also0']);
    expect(first.dead).toEqual([]);
    await second.q.shutdown();
    expect(disk2.queueStore({ kind: 'exporter', id: 'opik' }).totals.requests).toBe(0);
    await disk2.shutdown();
  });

  it('holds a batch the destination refuses to take from it (401/403), past any retry budget, and delivers it once let in', async () => {
    let refusals = 0;
    const got: Traces[] = [];
    const { q, dead, host, enqueue } = queue(config(), async (t) => {
      if (refusals++ < 20) {
        throw new RetryableError('ERR_EXPORT_UNAUTHORIZED', 'no more retries left: HTTP 401', {
          blocked: true,
        });
      }
      got.push(t);
    });
    await q.start(host);
    await enqueue(batch(2, 'held'));
    await until(() => got.length === 1);
    expect(names(got)).toEqual(['held0', 'held1']);
    expect(dead).toEqual([]);
  });

  it('dead-letters and counts only the parts of a split batch that were not delivered', async () => {
    const got: Traces[] = [];
    const { q, dead, host, settings, enqueue } = queue(
      config({ batch: { min_size: 1, max_size: 2, flush_timeout: '1s' } }),
      async (t) => {
        if (names([t]).includes('s2')) throw new PermanentError('ERR_EXPORT_REJECTED', 'no');
        got.push(t);
      },
    );
    await q.start(host);
    await enqueue(batch(6, 's')); // taken whole, delivered in parts of 2
    await until(() => dead.length === 1);
    expect(names(got)).toEqual(['s0', 's1']);
    expect(names(dead.map((d) => d.traces))).toEqual(['s2', 's3', 's4', 's5']);
    const counted = await settings.telemetry.registry
      .getSingleMetric('otelcol_exporter_dead_lettered_spans_total')
      ?.get();
    expect(counted?.values[0]?.value).toBe(4);
  });

  it('refuses data once shutdown began', async () => {
    const { q, host, enqueue } = queue(config(), async () => {});
    await q.start(host);
    await q.shutdown();
    await expect(enqueue(batch(1))).rejects.toThrow('the exporter is shutting down');
  });

  it('keeps a batch whose dead letter cannot be written, uncounted and loudly, and writes it once it can', async () => {
    const { q, dead, host, settings, enqueue } = queue(
      config(),
      async () => {
        throw new PermanentError('ERR_EXPORT_REJECTED', 'Opik said no');
      },
      undefined,
      3,
    );
    await q.start(host);
    await enqueue(batch(2, 'refused'));
    await until(() => host.reports.length > 0);
    expect(host.reports[0]).toEqual({
      state: 'degraded',
      reason:
        'the dead-letter file cannot be written (cannot write x.jsonl: ENOSPC); what should go there stays in the queue and is tried again',
    });
    expect(await metricValue(settings, 'otelcol_exporter_dead_lettered_spans_total')).toBe(0);
    await until(() => dead.length === 1);
    expect(names(dead.map((d) => d.traces))).toEqual(['refused0', 'refused1']);
    expect(await metricValue(settings, 'otelcol_exporter_dead_lettered_spans_total')).toBe(2);
    expect(host.reports.at(-1)).toEqual({ state: 'ok' });
  });

  it('starts on storage it cannot open yet, refuses data with 503 meanwhile, and opens it once it can', async () => {
    const { host, storage, directory } = await hostWithFileStorage();
    // Where the store file should be, a directory: SQLite cannot open it (as on a broken volume).
    mkdirSync(join(directory, 'exporter_opik.db'));
    const got: Traces[] = [];
    const { q, enqueue } = queue(config({ storage: 'file_storage' }), async (t) => {
      got.push(t);
    });
    await q.start(host);
    const refusal = (await enqueue(batch(1)).catch((e: unknown) => e)) as RetryableError;
    expect(refusal).toMatchObject({ code: 'ERR_STORAGE_UNAVAILABLE', retryAfterMs: 5000 });
    expect(replyFor(refusal)).toMatchObject({ httpStatus: 503, retryAfterSeconds: 5 });
    expect(host.reports[0]).toMatchObject({
      state: 'degraded',
      reason: expect.stringMatching(/^cannot open the store .*exporter_opik\.db: /),
    });
    rmdirSync(join(directory, 'exporter_opik.db'));
    await until(() => host.reports.at(-1)?.state === 'ok', 400);
    await enqueue(batch(1, 'later'));
    await until(() => got.length === 1);
    expect(names(got)).toEqual(['later0']);
    await q.shutdown();
    await storage.shutdown();
  });

  it('delivers the rest of a persistent queue when one stored request cannot be read back', async () => {
    const { storage, directory } = await hostWithFileStorage();
    const store = storage.queueStore({ kind: 'exporter', id: 'opik' });
    for (const tag of ['a', 'b', 'c'])
      await store.put([{ traces: batch(1, tag), items: 1, bytes: 0 }]);
    await storage.shutdown();
    const db = new Database(join(directory, 'exporter_opik.db'));
    db.prepare("UPDATE queue SET payload = x'ffff' WHERE seq = 2").run();
    db.close();
    const again = await hostWithFileStorage(directory);
    const got: Traces[] = [];
    const { q, enqueue } = queue(
      config({ storage: 'file_storage' }),
      async (t) => {
        got.push(t);
      },
      again.storage,
    );
    await q.start(again.host);
    await enqueue(batch(1, 'd'));
    await until(() => got.length === 3);
    expect(names(got)).toEqual(['a0', 'c0', 'd0']);
    await q.shutdown();
    await again.storage.shutdown();
  });
});
