import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RetryableError } from '../errors/errors.js';
import { makeSpan, makeTraces } from '../pdata/span.js';
import type { Traces } from '../pdata/traces.js';
import { StorageUnavailableError } from '../storage/unavailable.js';
import { capturingLogger, scriptedSender } from '../testing/senders.js';
import { TestHost, testSettings } from '../testing/settings.js';
import { buildChain, type ChainParts } from './chain.js';
import { deliveryWatch } from './delivery-watch.js';
import { defaultSendingQueue, sendingQueueSchema } from './queue/config.js';

const retry = {
  enabled: true,
  initialIntervalMs: 100,
  randomizationFactor: 0,
  multiplier: 2,
  maxIntervalMs: 1000,
  maxElapsedTimeMs: 10_000,
};
const outage = () => new RetryableError('ERR_EXPORT_FAILED', 'HTTP 503');
const batch = makeTraces([
  makeSpan({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), name: 's' }),
]);
/** A chain whose requests are the batches themselves. */
const chain = (
  parts: Omit<ChainParts<Traces>, 'settings' | 'prepare' | 'failedSpans'> &
    Partial<Pick<ChainParts<Traces>, 'settings'>>,
) =>
  buildChain<Traces>({
    settings: testSettings('exporter', 'x'),
    prepare: async (t) => t,
    failedSpans: () => 0,
    ...parts,
  });

describe('buildChain', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries through the circuit: N failed attempts move the request to the secondary', async () => {
    const primary = scriptedSender<Traces>([outage()]);
    const secondary = scriptedSender<Traces>(['ok']);
    const sender = chain({
      primary,
      secondary,
      timeoutMs: 1000,
      retry,
      fallback: {
        enabled: true,
        switchAfterFailures: 2,
        probeIntervalMs: 60_000,
        judge: () => 'count',
      },
    });
    const done = sender.send(batch, new AbortController().signal);
    await vi.runAllTimersAsync();
    await done;
    expect(primary.calls).toHaveLength(2);
    expect(secondary.calls).toEqual([batch]);
  });

  it('tells the delivery watch of every retried attempt and of the delivery, and attaches it to the host', async () => {
    const primary = scriptedSender<Traces>([outage(), outage(), 'ok']);
    const { logger, lines } = capturingLogger();
    const settings = { ...testSettings('exporter', 'x'), logger };
    const sender = chain({ settings, primary, timeoutMs: 1000, retry });
    const host = new TestHost();
    await sender.start(host);
    const done = sender.send(batch, new AbortController().signal);
    await vi.advanceTimersByTimeAsync(1000); // two backoffs: 100 ms, 200 ms
    await done;
    await sender.shutdown();
    expect(deliveryWatch(settings).details()).toMatchObject({
      retries: 2,
      failedAttempts: 2,
      deliveredSpans: 1,
    });
    expect(host.reports).toEqual([
      {
        state: 'recoverable_error',
        reason: 'HTTP 503 (the service is unavailable (down, starting or overloaded))',
      },
      { state: 'ok' },
    ]);
    expect(lines.filter((l) => String(l.msg).startsWith('export failing: HTTP 503'))).toHaveLength(
      1,
    );
    expect(lines[0]!.msg).toMatch(/; after 10s of retries the sender gets the error$/);
    expect(lines.filter((l) => String(l.msg).startsWith('delivering again after '))).toHaveLength(
      1,
    );
  });

  it('without a queue, tells the watch of an error handed back to the sender', async () => {
    const primary = scriptedSender<Traces>([outage()]);
    const { logger, lines } = capturingLogger();
    const settings = { ...testSettings('exporter', 'x'), logger };
    const sender = chain({
      settings,
      primary,
      timeoutMs: 1000,
      retry: { ...retry, enabled: false },
    });
    await sender.start(new TestHost());
    await expect(sender.send(batch, new AbortController().signal)).rejects.toThrow('HTTP 503');
    await sender.shutdown();
    expect(lines.map((l) => l.msg)).toEqual([
      expect.stringMatching(/^export failing: HTTP 503 .*; given up; the sender gets the error/),
    ]);
  });

  it('times out a hung attempt and retries it', async () => {
    const primary = scriptedSender<Traces>(['hang', 'ok']);
    const sender = chain({ primary, timeoutMs: 1000, retry });
    const done = sender.send(batch, new AbortController().signal);
    await vi.advanceTimersByTimeAsync(1000 + 100);
    await done;
    expect(primary.calls).toHaveLength(2);
    expect(primary.signals[0]?.aborted).toBe(true);
  });

  it('wakes the backoff at shutdown (the send rejects as retryable), then shuts the pushes down', async () => {
    const primary = scriptedSender<Traces>([outage()]);
    const secondary = scriptedSender<Traces>([outage()]);
    const sender = chain({
      primary,
      secondary,
      timeoutMs: 1000,
      retry,
      fallback: { enabled: true, switchAfterFailures: 5, probeIntervalMs: 1, judge: () => 'count' },
    });
    const done = sender.send(batch, new AbortController().signal);
    const outcome = expect(done).rejects.toMatchObject({ code: 'ERR_SHUTTING_DOWN' });
    await vi.advanceTimersByTimeAsync(10);
    const attempts = primary.calls.length;
    // With fake timers a backoff that was waited out instead of woken would never end.
    await sender.shutdown();
    await outcome;
    expect(primary.calls).toHaveLength(attempts);
    expect([primary.shutdowns, secondary.shutdowns]).toEqual([1, 1]);
  });

  it('runs beforeQueue once per batch, queues it, then prepares and counts each delivery', async () => {
    vi.useRealTimers();
    const steps: string[] = [];
    const push = scriptedSender<string>(['ok']);
    const settings = testSettings('exporter', 'x');
    const sender = buildChain<string>({
      settings,
      beforeQueue: {
        run: async (t) => {
          steps.push('before queue');
          return t;
        },
      },
      queue: {
        config: sendingQueueSchema.parse({ ...defaultSendingQueue(), num_consumers: 1 }),
        deadLetter: async () => {},
      },
      prepare: async () => {
        steps.push('prepare');
        return 'request';
      },
      failedSpans: () => 0,
      primary: push,
      timeoutMs: 0,
      retry,
    });
    await sender.start(new TestHost());
    await sender.send(batch, new AbortController().signal);
    await sender.shutdown(); // a memory queue drains before it stops
    expect(steps).toEqual(['before queue', 'prepare']);
    expect(push.calls).toEqual(['request']);
    const sent = await settings.telemetry.registry
      .getSingleMetric('otelcol_exporter_sent_spans_total')
      ?.get();
    expect(sent?.values[0]?.value).toBe(1);
  });

  it('reports the exporter degraded when a store before the queue refuses (the ids step on a full disk), and well again after', async () => {
    vi.useRealTimers();
    let full = true;
    const sender = buildChain<Traces>({
      settings: testSettings('exporter', 'x'),
      beforeQueue: {
        run: async (t) => {
          if (full)
            throw new StorageUnavailableError('the id store cannot read or write', 'SQLITE_FULL');
          return t;
        },
      },
      queue: {
        config: sendingQueueSchema.parse({ ...defaultSendingQueue(), num_consumers: 1 }),
        deadLetter: async () => {},
      },
      prepare: async (t) => t,
      failedSpans: () => 0,
      primary: scriptedSender<Traces>(['ok']),
      timeoutMs: 0,
      retry,
    });
    const host = new TestHost();
    await sender.start(host);
    await expect(sender.send(batch, new AbortController().signal)).rejects.toMatchObject({
      code: 'ERR_STORAGE_UNAVAILABLE',
    });
    expect(host.reports.at(-1)).toEqual({
      state: 'degraded',
      reason:
        'the id store cannot read or write: SQLITE_FULL; new data is refused (503) and what is stored is kept until it can write again',
    });
    full = false;
    await sender.send(batch, new AbortController().signal);
    expect(host.reports.at(-1)).toEqual({ state: 'ok' });
    await sender.shutdown();
  });
});
