import type { Component, Host, Settings, TracesConsumer } from '../component/types.js';
import { CollectorError } from '../errors/errors.js';
import { spanCount } from '../pdata/count.js';
import type { Traces } from '../pdata/traces.js';
import { deliveryWatch } from './delivery-watch.js';
import type { Sender } from './sender.js';

/** What a push that finished reports when it could not deliver every span. */
export interface PushResult {
  /** Spans given up on (dead-lettered) while the rest were delivered. */
  readonly failedSpans: number;
}

export interface ExporterLogic {
  /**
   * Delivers one batch; rejects with a classified error (`PermanentError` / `RetryableError`).
   * A push that delivered part of the batch and dead-lettered the rest resolves with the count.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: most pushes return nothing; void keeps them valid.
  push(traces: Traces): Promise<void | PushResult>;
  start?(host: Host): Promise<void>;
  shutdown?(): Promise<void>;
}

/**
 * The simplest exporter: pushes each batch as it comes and counts what was sent or failed under
 * the Collector's names. Exporters that need a queue, retries or a fallback compose those senders
 * around `push` (see the other files in this folder).
 */
export function defineExporter(
  settings: Settings,
  logic: ExporterLogic,
): Component & TracesConsumer {
  const counted = countedPush(settings);
  const watch = deliveryWatch(settings);
  let stopped = false;
  return {
    async start(host) {
      watch.attach(host);
      await logic.start?.(host);
    },
    async shutdown() {
      if (stopped) return;
      stopped = true;
      watch.stop();
      await logic.shutdown?.();
    },
    async consume(traces) {
      try {
        await counted(traces, () => logic.push(traces));
      } catch (err) {
        if (!(err instanceof CollectorError && err.code === 'ERR_SHUTTING_DOWN')) watch.failed(err);
        throw err;
      }
    },
  };
}

/**
 * An exporter that is a chain of senders (`chain.ts`): each batch is sent through it, and the
 * chain counts what it delivered and tells the exporter's delivery watch. Empty batches are not
 * sent.
 */
export function exporterOf(chain: Sender<Traces>): Component & TracesConsumer {
  const never = new AbortController().signal;
  return {
    start: (host) => chain.start(host),
    shutdown: () => chain.shutdown(),
    async consume(traces) {
      if (spanCount(traces) > 0) await chain.send(traces, never);
    },
  };
}

/**
 * Runs one push and counts its spans as sent or failed under the Collector's names (and tells
 * the exporter's delivery watch what got through); shared by `defineExporter` and by
 * `withPrepare` (exporters built from a chain of senders).
 */
export function countedPush(settings: Settings) {
  const watch = deliveryWatch(settings);
  const sent = settings.telemetry.exporterSentSpans.labels({ exporter: settings.id });
  const failed = settings.telemetry.exporterSendFailedSpans.labels({ exporter: settings.id });
  // biome-ignore lint/suspicious/noConfusingVoidType: what `push` resolves with.
  return async (traces: Traces, push: () => Promise<void | PushResult>): Promise<void> => {
    const n = spanCount(traces);
    // biome-ignore lint/suspicious/noConfusingVoidType: what `push` resolves with.
    let result: void | PushResult;
    try {
      result = await push();
    } catch (err) {
      failed.inc(n);
      throw err;
    }
    const failedSpans = Math.min(n, result?.failedSpans ?? 0);
    if (failedSpans > 0) failed.inc(failedSpans);
    if (n > failedSpans) sent.inc(n - failedSpans);
    watch.delivered(n - failedSpans);
  };
}
