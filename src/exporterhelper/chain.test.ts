import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RetryableError } from '../errors/errors.js';
import { capturingLogger, scriptedSender } from '../testing/senders.js';
import { TestHost } from '../testing/settings.js';
import { buildChain } from './chain.js';
import { DeliveryWatch } from './delivery-watch.js';

const retry = {
  enabled: true,
  initialIntervalMs: 100,
  randomizationFactor: 0,
  multiplier: 2,
  maxIntervalMs: 1000,
  maxElapsedTimeMs: 10_000,
};
const outage = () => new RetryableError('ERR_EXPORT_FAILED', 'HTTP 503');

describe('buildChain', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries through the circuit: N failed attempts move the request to the secondary', async () => {
    const primary = scriptedSender<string>([outage()]);
    const secondary = scriptedSender<string>(['ok']);
    const chain = buildChain({
      primary,
      secondary,
      timeoutMs: 1000,
      retry,
      logger: capturingLogger().logger,
      fallback: {
        enabled: true,
        switchAfterFailures: 2,
        probeIntervalMs: 60_000,
        judge: () => 'count',
      },
    });
    const done = chain.send('batch', new AbortController().signal);
    await vi.runAllTimersAsync();
    await done;
    expect(primary.calls).toHaveLength(2);
    expect(secondary.calls).toEqual(['batch']);
  });

  it('tells the delivery watch of every retried attempt, and attaches it to the host', async () => {
    const primary = scriptedSender<string>([outage(), outage(), 'ok']);
    const { logger, lines } = capturingLogger();
    const watch = new DeliveryWatch(logger);
    const chain = buildChain({ primary, timeoutMs: 1000, retry, logger, watch });
    const host = new TestHost();
    await chain.start(host);
    const done = chain.send('batch', new AbortController().signal);
    await vi.advanceTimersByTimeAsync(1000); // two backoffs: 100 ms, 200 ms
    await done;
    watch.stop();
    expect(watch.details()).toMatchObject({ retries: 2, failedAttempts: 2 });
    expect(host.reports).toEqual([
      {
        state: 'recoverable_error',
        reason: 'HTTP 503 (the service is unavailable (down, starting or overloaded))',
      },
    ]);
    expect(lines.filter((l) => String(l.msg).startsWith('export failing: HTTP 503'))).toHaveLength(
      1,
    );
    expect(lines[0]!.msg).toMatch(/; after 10s of retries the sender gets the error$/);
  });

  it('times out a hung attempt and retries it', async () => {
    const primary = scriptedSender<string>(['hang', 'ok']);
    const chain = buildChain({ primary, timeoutMs: 1000, retry, logger: capturingLogger().logger });
    const done = chain.send('batch', new AbortController().signal);
    await vi.advanceTimersByTimeAsync(1000 + 100);
    await done;
    expect(primary.calls).toHaveLength(2);
    expect(primary.signals[0]?.aborted).toBe(true);
  });

  it('stops the backoff before it shuts the pushes down', async () => {
    const order: string[] = [];
    const primary = scriptedSender<string>([outage()]);
    const secondary = scriptedSender<string>([outage()]);
    const shut = primary.shutdown.bind(primary);
    primary.shutdown = async () => {
      order.push('push shut down');
      await shut();
    };
    const chain = buildChain({
      primary,
      secondary,
      timeoutMs: 1000,
      retry,
      logger: capturingLogger().logger,
      fallback: { enabled: true, switchAfterFailures: 5, probeIntervalMs: 1, judge: () => 'count' },
    });
    const done = chain.send('batch', new AbortController().signal).catch((err: RetryableError) => {
      order.push(`send rejected: ${err.code}`);
    });
    await vi.advanceTimersByTimeAsync(10);
    await chain.shutdown();
    await done;
    expect(order).toEqual(['send rejected: ERR_SHUTTING_DOWN', 'push shut down']);
    expect(secondary.shutdowns).toBe(1);
  });
});
