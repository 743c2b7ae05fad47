import type { Logger } from 'pino';
import type { DeliveryWatch } from './delivery-watch.js';
import { type FailureVerdict, withFallback } from './fallback.js';
import { type RetryDeps, type RetryOptions, withRetry } from './retry.js';
import type { Sender } from './sender.js';
import { withTimeout } from './timeout.js';

export interface ChainParts<T> {
  /** Delivers one request over the primary path (one attempt). */
  readonly primary: Sender<T>;
  /** Delivers the same request another way; omitted when the exporter has one path. */
  readonly secondary?: Sender<T>;
  /** Per attempt, in ms (0 = unbounded). */
  readonly timeoutMs: number;
  readonly retry: RetryOptions;
  readonly retryDeps?: RetryDeps;
  readonly fallback?: {
    readonly enabled: boolean;
    readonly switchAfterFailures: number;
    readonly probeIntervalMs: number;
    readonly judge: (err: unknown) => FailureVerdict;
    readonly onSwitch?: (active: 'primary' | 'secondary') => void;
    readonly names?: { readonly primary: string; readonly secondary: string };
    readonly now?: () => number;
  };
  readonly logger: Logger;
  /** Told of every failed attempt that is retried (`deliveryWatch(settings)`). */
  readonly watch?: DeliveryWatch;
}

/**
 * The one place an exporter's senders are composed, outermost first:
 *
 *     [sending_queue, added later around this chain]
 *       → retry                       backoff + jitter over whole attempts
 *         → fallback                  circuit: primary until it is unusable, then secondary
 *             primary:   timeout → push
 *             secondary: timeout → push
 *
 * Retry sits outside the fallback (house style §5.4 draws it inside the primary) so that the
 * circuit sees every attempt: "N failures in a row" then means N attempts, seconds apart, not N
 * exhausted retry budgets of five minutes each; and a retry after the switch goes straight to the
 * secondary. Each path keeps its own timeout.
 *
 * Shutdown order (each wrapper stops itself before the next one inside): retry wakes its sleeping
 * backoffs, which reject with ERR_SHUTTING_DOWN so that a queue in front keeps their data; the
 * queue (when there is one) drains or persists what it holds; then the fallback shuts both pushes
 * down, closing their connections.
 */
export function buildChain<T>(parts: ChainParts<T>): Sender<T> {
  const primary = withTimeout(parts.primary, parts.timeoutMs);
  const delivery =
    parts.secondary && parts.fallback
      ? withFallback(primary, withTimeout(parts.secondary, parts.timeoutMs), {
          ...parts.fallback,
          logger: parts.logger,
        })
      : primary;
  const { watch, retryDeps } = parts;
  watch?.useRetry(parts.retry.enabled ? parts.retry.maxElapsedTimeMs : undefined);
  const retried = withRetry(delivery, parts.retry, {
    logger: parts.logger,
    ...retryDeps,
    onRetry(err, delayMs) {
      watch?.retrying(err, delayMs);
      retryDeps?.onRetry?.(err, delayMs);
    },
  });
  if (!watch) return retried;
  return {
    ...retried,
    async start(host) {
      watch.attach(host);
      await retried.start(host);
    },
  };
}
