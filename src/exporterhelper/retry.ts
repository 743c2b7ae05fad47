import type { Logger } from 'pino';
import { asRetryable, errorMessage, isPermanent, RetryableError } from '../errors/errors.js';
import { type BackoffPolicy, nextDelay, withinBudget } from './backoff.js';
import { type Sender, sleep } from './sender.js';
import { RepeatedFailure, sameLocalFailure } from './split.js';

export interface RetryOptions extends BackoffPolicy {
  readonly enabled: boolean;
}

export interface RetryDeps {
  readonly logger?: Logger;
  /** In [0, 1); `Math.random` unless a test pins it. */
  readonly random?: () => number;
  readonly now?: () => number;
  /** Called before each backoff (for a retry counter). */
  readonly onRetry?: (err: unknown, delayMs: number) => void;
  /**
   * Give up with a `RepeatedFailure` when two attempts in a row fail the same way in the
   * collector's own code, so that the caller can split the batch (`split.ts`). Set with a queue.
   */
  readonly stopOnRepeatedFailure?: boolean;
}

/**
 * Retries failed sends with exponential backoff and jitter (`retry_on_failure`). A permanent
 * error ends at once; a `RetryableError` with `retryAfterMs` waits at least that long. When the
 * time budget is spent it rejects with a retryable error (the caller, or a queue, keeps the
 * data). With `stopOnRepeatedFailure`, the second failure in a row by the same exception of the
 * collector's own code ends it with a `RepeatedFailure`. `shutdown()` wakes every backoff,
 * which then rejects with `ERR_SHUTTING_DOWN`.
 */
export function withRetry<T>(
  next: Sender<T>,
  options: RetryOptions,
  deps: RetryDeps = {},
): Sender<T> {
  const stopping = new AbortController();
  const random = deps.random ?? Math.random;
  const now = deps.now ?? Date.now;
  const inFlight = new Set<Promise<void>>();
  let stopped: Promise<void> | undefined;

  async function attempts(request: T, signal: AbortSignal): Promise<void> {
    if (!options.enabled) return next.send(request, signal);
    const startedAt = now();
    let previous: unknown;
    for (let retry = 0; ; retry++) {
      try {
        await next.send(request, signal);
        return;
      } catch (err) {
        if (isPermanent(err)) throw err;
        if (deps.stopOnRepeatedFailure && retry > 0 && sameLocalFailure(previous, err)) {
          throw new RepeatedFailure(err);
        }
        previous = err;
        if (stopping.signal.aborted || signal.aborted) throw shuttingDown(err);
        const delay = nextDelay(options, retry, asRetryable(err)?.retryAfterMs, random);
        if (!withinBudget(options, now() - startedAt, delay)) throw exhausted(err, retry + 1);
        deps.onRetry?.(err, delay);
        deps.logger?.debug({ delayMs: delay, error: errorMessage(err) }, 'export failed; retrying');
        try {
          await sleep(delay, AbortSignal.any([signal, stopping.signal]));
        } catch {
          throw shuttingDown(err);
        }
      }
    }
  }

  function send(request: T, signal: AbortSignal): Promise<void> {
    const running = attempts(request, signal);
    const settled = running.then(
      () => {},
      () => {},
    );
    inFlight.add(settled);
    void settled.then(() => inFlight.delete(settled));
    return running;
  }

  async function stop(): Promise<void> {
    // Wake every backoff (those sends reject with ERR_SHUTTING_DOWN) and let attempts already on
    // the wire finish (each is bounded by the timeout inside), so that no attempt starts on, or
    // is cut off by, a transport that is closing.
    stopping.abort();
    await Promise.all([...inFlight]);
    await next.shutdown();
  }

  return {
    send,
    start: (host) => next.start(host),
    shutdown() {
      stopped ??= stop();
      return stopped;
    },
  };
}

function shuttingDown(cause: unknown): RetryableError {
  return new RetryableError(
    'ERR_SHUTTING_DOWN',
    `export abandoned at shutdown; the data was not delivered (${errorMessage(cause)})`,
    {},
    { cause },
  );
}

function exhausted(cause: unknown, attempts: number): RetryableError {
  const retryable = asRetryable(cause);
  return new RetryableError(
    retryable?.code ?? 'ERR_EXPORT_FAILED',
    `no more retries left after ${attempts} attempts: ${errorMessage(cause)}`,
    { ...retryable?.details },
    { cause },
  );
}
