import { RetryableError } from '../errors/errors.js';
import type { Sender } from './sender.js';

/**
 * Bounds each attempt: after `timeoutMs` the attempt's signal aborts and the send rejects with a
 * retryable `ERR_EXPORT_TIMEOUT`, even if the next sender ignores its signal (a hung peer).
 * `timeoutMs` 0 disables the bound. An abort from outside (shutdown) rejects with its reason.
 */
export function withTimeout<T>(next: Sender<T>, timeoutMs: number): Sender<T> {
  async function send(request: T, signal: AbortSignal): Promise<void> {
    if (timeoutMs <= 0) return next.send(request, signal);
    const attempt = new AbortController();
    const onOuterAbort = () => attempt.abort(signal.reason);
    if (signal.aborted) throw signal.reason;
    signal.addEventListener('abort', onOuterAbort, { once: true });
    const timer = setTimeout(() => {
      attempt.abort(
        new RetryableError('ERR_EXPORT_TIMEOUT', `export attempt timed out after ${timeoutMs} ms`),
      );
    }, timeoutMs);
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(attempt.signal.reason);
      attempt.signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const pending = next.send(request, attempt.signal);
      // Once the race is lost the attempt's own rejection has no one left to hear it.
      pending.catch(() => {});
      await Promise.race([pending, aborted]);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onOuterAbort);
      if (onAbort) attempt.signal.removeEventListener('abort', onAbort);
    }
  }
  return { send, start: (host) => next.start(host), shutdown: () => next.shutdown() };
}
