import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RetryableError } from '../errors/errors.js';
import { scriptedSender } from '../testing/senders.js';
import { withTimeout } from './timeout.js';

describe('withTimeout', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('rejects a hung attempt with a retryable ERR_EXPORT_TIMEOUT and aborts its signal', async () => {
    const next = scriptedSender<string>(['hang']);
    const sender = withTimeout(next, 1000);
    const done = sender.send('b', new AbortController().signal);
    const outcome = expect(done).rejects.toMatchObject({ code: 'ERR_EXPORT_TIMEOUT' });
    await vi.advanceTimersByTimeAsync(1000);
    await outcome;
    await expect(done).rejects.toBeInstanceOf(RetryableError);
    expect(next.signals[0]?.aborted).toBe(true);
  });

  it('passes a prompt answer through untouched', async () => {
    const next = scriptedSender<string>(['ok']);
    await expect(withTimeout(next, 1000).send('b', new AbortController().signal)).resolves.toBe(
      undefined,
    );
    expect(vi.getTimerCount()).toBe(0);
  });

  it('passes the attempt error through when it comes first', async () => {
    const next = scriptedSender<string>([new Error('refused')]);
    await expect(withTimeout(next, 1000).send('b', new AbortController().signal)).rejects.toThrow(
      'refused',
    );
  });

  it('rejects with the outer reason when the caller aborts', async () => {
    const next = scriptedSender<string>(['hang']);
    const caller = new AbortController();
    const done = withTimeout(next, 60_000).send('b', caller.signal);
    caller.abort(new Error('shutting down'));
    await expect(done).rejects.toThrow('shutting down');
  });

  it('does not bound an attempt when the timeout is 0', async () => {
    const next = scriptedSender<string>(['ok']);
    await withTimeout(next, 0).send('b', new AbortController().signal);
    expect(next.signals[0]).toBeDefined();
    expect(vi.getTimerCount()).toBe(0);
  });
});
