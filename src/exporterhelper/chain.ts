import type { Host, Settings } from '../component/types.js';
import { CollectorError } from '../errors/errors.js';
import type { Traces } from '../pdata/traces.js';
import { StorageUnavailableError, storageFault } from '../storage/unavailable.js';
import { countedDeadLetter } from './dead-letter.js';
import { deliveryWatch } from './delivery-watch.js';
import { type FailureVerdict, withFallback } from './fallback.js';
import { withPrepare } from './prepare.js';
import type { SendingQueueConfig } from './queue/config.js';
import { withQueue } from './queue/sending-queue.js';
import { type RetryDeps, type RetryOptions, withRetry } from './retry.js';
import { mapSender, type Sender } from './sender.js';
import { withTimeout } from './timeout.js';

/** A step that rewrites each batch once, before it is queued (with a start, for its stores). */
export interface BeforeQueue {
  run(traces: Traces, signal: AbortSignal): Promise<Traces>;
  start?(host: Host): Promise<void>;
}

export interface ChainParts<P> {
  /** The exporter: logger, the Collector's counters, the queue's name and metrics. */
  readonly settings: Settings;
  /** What is decided once per batch and must travel with it through the queue (the Opik ids). */
  readonly beforeQueue?: BeforeQueue;
  /**
   * The `sending_queue` when enabled, and where it puts what it gives up on: whole batches, and
   * the spans a split isolates (`split.ts`). It rejects when it cannot write; the data then stays
   * in the queue.
   */
  readonly queue?: {
    readonly config: SendingQueueConfig;
    deadLetter(traces: Traces, reason: string): Promise<void>;
  };
  /** Turns a batch into the request the paths send, once per delivery (retries reuse it). */
  prepare(traces: Traces): Promise<P>;
  /** Spans of a prepared request given up on while the rest was delivered (counted as failed). */
  failedSpans(request: P): number;
  /** Told of each request once its delivery finished (what went through, what was given up). */
  delivered?(request: P): void;
  /** Delivers one request over the primary path (one attempt). */
  readonly primary: Sender<P>;
  /** Delivers the same request another way; omitted when the exporter has one path. */
  readonly secondary?: Sender<P>;
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
}

/**
 * The one place an exporter's senders are composed, outermost first:
 *
 *     beforeQueue                    once per batch (ids decided here survive a restart)
 *       → sending_queue              when enabled: memory, or the storage extension's store
 *         → prepare                  batch → request; counts sent and failed spans; with a
 *                                    queue, splits a batch that fails for good or the same way
 *                                    twice until the failing spans are alone (dead-lettered)
 *           → retry                  backoff + jitter over whole attempts
 *             → fallback             circuit: primary until it is unusable, then secondary
 *                 primary:   timeout → push
 *                 secondary: timeout → push
 *
 * The split sits at prepare's depth: it needs the batch (pdata splits; a prepared request does
 * not), and each part it sends is prepared and retried afresh. Retry, below it, ends a request
 * that fails twice in a row the same way in the collector's own code (`RepeatedFailure`), so a
 * poisoned span is found in seconds instead of being retried for `max_elapsed_time` (forever,
 * with 0) while the queue behind it waits. Only with a queue: without one the failure goes back
 * to the sender, who holds the data.
 *
 * Retry sits outside the fallback (house style §5.4 draws it inside the primary) so that the
 * circuit sees every attempt: "N failures in a row" then means N attempts, seconds apart, not N
 * exhausted retry budgets of five minutes each; and a retry after the switch goes straight to the
 * secondary. Each path keeps its own timeout.
 *
 * Shutdown runs outside in, each sender stopping itself before the next one inside: the queue
 * stops taking data and keeps (disk) or drains (memory) what it holds; retry wakes its sleeping
 * backoffs, which reject with ERR_SHUTTING_DOWN so that a persistent queue keeps their data; then
 * the fallback shuts both pushes down, closing their connections.
 *
 * The exporter's delivery watch (`deliveryWatch(settings)`) hears from here: retry tells it of
 * every failed attempt, prepare of what was delivered, the queue where data waits, the
 * dead-letter writer of what was given up, and, without a queue, the chain of the error it hands
 * back to the sender. The watch logs, reports the exporter's health and feeds the status page.
 */
export function buildChain<P>(parts: ChainParts<P>): Sender<Traces> {
  const logger = parts.settings.logger;
  const primary = withTimeout(parts.primary, parts.timeoutMs);
  const paths =
    parts.secondary && parts.fallback
      ? withFallback(primary, withTimeout(parts.secondary, parts.timeoutMs), {
          ...parts.fallback,
          logger,
        })
      : primary;
  const watch = deliveryWatch(parts.settings);
  const { retryDeps } = parts;
  watch.useRetry(parts.retry.enabled ? parts.retry.maxElapsedTimeMs : undefined);
  const retried = withRetry(paths, parts.retry, {
    logger,
    ...retryDeps,
    stopOnRepeatedFailure: parts.queue !== undefined,
    onRetry(err, delayMs) {
      watch.retrying(err, delayMs);
      retryDeps?.onRetry?.(err, delayMs);
    },
  });
  const deadLetter = parts.queue && countedDeadLetter(parts.settings, parts.queue.deadLetter);
  const prepared = withPrepare(retried, { ...parts, deadLetter });
  const queued =
    parts.queue && deadLetter
      ? withQueue(prepared, {
          settings: parts.settings,
          backoff: parts.retry,
          config: parts.queue.config,
          deadLetter,
        })
      : prepared;
  const before = parts.beforeQueue;
  const outer = before
    ? mapSender<Traces, Traces>(queued, (t, s) => before.run(t, s), { start: before.start })
    : queued;
  return {
    async send(traces, signal) {
      try {
        await outer.send(traces, signal);
      } catch (err) {
        // With a queue, what it gives up on is dead-lettered (and the watch told there); a store
        // that refuses before the queue (the ids step's) makes the exporter degraded as the
        // queue's own does.
        const stopping = err instanceof CollectorError && err.code === 'ERR_SHUTTING_DOWN';
        if (!parts.queue && !stopping) watch.failed(err);
        else if (err instanceof StorageUnavailableError)
          watch.trouble('storage', storageFault(err));
        throw err;
      }
    },
    async start(host) {
      watch.attach(host);
      await outer.start(host);
    },
    shutdown() {
      watch.stop();
      return outer.shutdown();
    },
  };
}
