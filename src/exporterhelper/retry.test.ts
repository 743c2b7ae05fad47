import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PermanentError, RetryableError } from '../errors/errors.js';
import { scriptedSender } from '../testing/senders.js';
import { withRetry } from './retry.js';
import { RepeatedFailure } from './split.js';

const options = {
  enabled: true,
  initialIntervalMs: 5000,
  randomizationFactor: 0.5,
  multiplier: 1.5,
  maxIntervalMs: 30_000,
  maxElapsedTimeMs: 300_000,
};
const retryable = (retryAfterMs?: number) =>
  new RetryableError('ERR_EXPORT_FAILED', 'HTTP 503', { retryAfterMs });
const deps = { random: () => 0.5, now: () => Date.now() };

describe('withRetry', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries a retryable failure with growing backoff until it succeeds', async () => {
    const next = scriptedSender<string>([retryable(), retryable(), 'ok']);
    const delays: number[] = [];
    const sender = withRetry(next, options, { ...deps, onRetry: (_e, d) => delays.push(d) });
    const done = sender.send('batch', new AbortController().signal);
    await vi.runAllTimersAsync();
    await expect(done).resolves.toBeUndefined();
    expect(next.calls).toEqual(['batch', 'batch', 'batch']);
    expect(delays).toEqual([5000, 7500]);
  });

  it('ends with a RepeatedFailure when the same exception of its own code comes twice in a row, with stopOnRepeatedFailure', async () => {
    const overflow = () => new RangeError('Maximum call stack size exceeded');
    const next = scriptedSender<string>([overflow(), overflow(), 'ok']);
    const sender = withRetry(next, options, { ...deps, stopOnRepeatedFailure: true });
    const done = sender.send('b', new AbortController().signal).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    const err = await done;
    expect(err).toBeInstanceOf(RepeatedFailure);
    expect((err as Error).message).toBe(
      'failed twice in a row the same way: Maximum call stack size exceeded',
    );
    expect(next.calls).toHaveLength(2);
  });

  it.each([
    ['an outage', () => retryable(), () => retryable()],
    ['two different exceptions', () => new TypeError('a'), () => new TypeError('b')],
  ])('keeps retrying %s, with stopOnRepeatedFailure', async (_name, first, second) => {
    const next = scriptedSender<string>([first(), second(), 'ok']);
    const sender = withRetry(next, options, { ...deps, stopOnRepeatedFailure: true });
    const done = sender.send('b', new AbortController().signal);
    await vi.runAllTimersAsync();
    await expect(done).resolves.toBeUndefined();
    expect(next.calls).toHaveLength(3);
  });

  it('stops at once on a permanent error', async () => {
    const next = scriptedSender<string>([new PermanentError('ERR_EXPORT_REJECTED', 'bad')]);
    const sender = withRetry(next, options, deps);
    await expect(sender.send('b', new AbortController().signal)).rejects.toBeInstanceOf(
      PermanentError,
    );
    expect(next.calls).toHaveLength(1);
  });

  it('waits at least the Retry-After the server sent', async () => {
    const next = scriptedSender<string>([retryable(42_000), 'ok']);
    const delays: number[] = [];
    const sender = withRetry(next, options, { ...deps, onRetry: (_e, d) => delays.push(d) });
    const done = sender.send('b', new AbortController().signal);
    await vi.advanceTimersByTimeAsync(41_999);
    expect(next.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await done;
    expect(next.calls).toHaveLength(2);
    expect(delays).toEqual([42_000]);
  });

  it('gives up with a retryable error once max_elapsed_time is spent', async () => {
    const next = scriptedSender<string>([retryable()]);
    const sender = withRetry(next, options, deps);
    const done = sender.send('b', new AbortController().signal);
    const outcome = expect(done).rejects.toThrow(
      /no more retries left after \d+ attempts: HTTP 503/,
    );
    await vi.runAllTimersAsync();
    await outcome;
    // Waits 5 + 7.5 + 11.25 + 16.875 + 25.313 + 30 × 7 = 275.9 s; one more would pass 300 s.
    expect(next.calls).toHaveLength(13);
  });

  it('retries forever when max_elapsed_time is 0', async () => {
    const steps = [...Array.from({ length: 40 }, () => retryable()), 'ok' as const];
    const next = scriptedSender<string>(steps);
    const sender = withRetry(next, { ...options, maxElapsedTimeMs: 0 }, deps);
    const done = sender.send('b', new AbortController().signal);
    await vi.runAllTimersAsync();
    await done;
    expect(next.calls).toHaveLength(41);
  });

  it('treats an unclassified error as retryable', async () => {
    const next = scriptedSender<string>([new Error('socket hang up'), 'ok']);
    const sender = withRetry(next, options, deps);
    const done = sender.send('b', new AbortController().signal);
    await vi.runAllTimersAsync();
    await done;
    expect(next.calls).toHaveLength(2);
  });

  it('wakes a sleeping backoff at shutdown and rejects with ERR_SHUTTING_DOWN', async () => {
    const next = scriptedSender<string>([retryable()]);
    const sender = withRetry(next, options, deps);
    const done = sender.send('b', new AbortController().signal);
    const outcome = expect(done).rejects.toMatchObject({ code: 'ERR_SHUTTING_DOWN' });
    await vi.advanceTimersByTimeAsync(10);
    await sender.shutdown();
    await outcome;
    expect(next.calls).toHaveLength(1);
    expect(next.shutdowns).toBe(1);
    await sender.shutdown();
    expect(next.shutdowns).toBe(1);
  });

  it('stops retrying when the caller aborts', async () => {
    const next = scriptedSender<string>([retryable()]);
    const sender = withRetry(next, options, deps);
    const caller = new AbortController();
    const done = sender.send('b', caller.signal);
    const outcome = expect(done).rejects.toMatchObject({ code: 'ERR_SHUTTING_DOWN' });
    await vi.advanceTimersByTimeAsync(10);
    caller.abort();
    await outcome;
  });

  it('makes exactly one attempt when disabled', async () => {
    const next = scriptedSender<string>([retryable()]);
    const sender = withRetry(next, { ...options, enabled: false }, deps);
    await expect(sender.send('b', new AbortController().signal)).rejects.toThrow('HTTP 503');
    expect(next.calls).toHaveLength(1);
  });
});
