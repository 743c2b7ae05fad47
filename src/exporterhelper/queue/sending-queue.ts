import type { Component, Host, Settings } from '../../component/types.js';
import { errorMessage, RetryableError } from '../../errors/errors.js';
import { encodeTracesRequest } from '../../otlp/proto-codec.js';
import { spanCount } from '../../pdata/count.js';
import { mergeTraces, splitTraces } from '../../pdata/split.js';
import type { Traces } from '../../pdata/traces.js';
import { deliveryWatch } from '../delivery-watch.js';
import type { SendingQueueConfig } from './config.js';
import { queueMetrics } from './metrics.js';
import type { QueueEntry, QueueStore } from './store.js';

export interface SendingQueue extends Component {
  /** Resolves once the batch is in the queue (on disk, with a persistent store). */
  enqueue(traces: Traces): Promise<void>;
}

export interface QueueDeps {
  readonly settings: Settings;
  readonly config: SendingQueueConfig;
  /** The store, chosen at start (a persistent one needs the host's storage extension). */
  openStore(host: Host): QueueStore;
  /** Delivers one batch, retries included; rejects when it gives up or is aborted. */
  deliver(traces: Traces, signal: AbortSignal): Promise<void>;
  /** Where a batch given up on goes: never dropped silently. */
  deadLetter(traces: Traces, reason: string): Promise<void>;
}

/**
 * The `sending_queue`: the exporter's `consume` puts a batch here and returns; `num_consumers`
 * loops take batches (merged up to `batch.max_size` when batching is on) and deliver them. An
 * entry leaves the store only when its delivery finished: delivered, or given up and written to
 * the dead-letter file. On shutdown a persistent queue stops at once and keeps what it holds for
 * the next start; a memory queue first drains what it holds.
 */
export function createSendingQueue(deps: QueueDeps): SendingQueue {
  const { config, settings } = deps;
  const logger = settings.logger;
  const metrics = queueMetrics(settings, config);
  const watch = deliveryWatch(settings);
  const stop = new AbortController();
  let store: QueueStore | undefined;
  let accepting = false;
  let consumers: Promise<void>[] = [];
  let wake = signal();
  let freed = signal();
  let stopped: Promise<void> | undefined;
  const persistent = config.storage !== undefined;
  const maxItems = config.batch ? config.batch.max_size || Number.POSITIVE_INFINITY : 0;

  const used = () => {
    const t = store!.totals;
    return config.sizer === 'requests' ? t.requests : config.sizer === 'items' ? t.items : t.bytes;
  };

  async function enqueue(traces: Traces): Promise<void> {
    const items = spanCount(traces);
    if (!accepting || !store) {
      throw new RetryableError('ERR_SHUTTING_DOWN', 'the exporter is shutting down');
    }
    const bytes = config.sizer === 'bytes' ? encodeTracesRequest(traces).byteLength : 0;
    const size = config.sizer === 'requests' ? 1 : config.sizer === 'items' ? items : bytes;
    while (used() > 0 && used() + size > config.queue_size) {
      if (config.drop_policy === 'oldest') {
        const dropped = store.dropOldest();
        if (dropped) {
          metrics.dropped(dropped.items);
          continue;
        }
      }
      if (config.block_on_overflow) {
        await freed.promise;
        continue;
      }
      metrics.enqueueFailed(items);
      throw new RetryableError(
        'ERR_PIPELINE_REFUSED',
        `sending_queue is full (queue_size ${config.queue_size} ${config.sizer}); retry later`,
        { throttled: true, retryAfterMs: 1000 },
      );
    }
    await store.put([{ traces, items, bytes }]);
    wake.fire();
  }

  async function nextBatch(): Promise<QueueEntry[] | undefined> {
    for (;;) {
      const draining = !accepting && !persistent;
      if (stop.signal.aborted || (!accepting && persistent)) return undefined;
      if (store!.waitingItems > 0) {
        const b = config.batch;
        if (b && store!.waitingItems < b.min_size && !draining && b.flush_timeout > 0) {
          await Promise.race([wake.promise, delay(b.flush_timeout)]);
        }
        const entries = store!.take(maxItems);
        if (entries.length > 0) return entries;
      }
      if (draining) return undefined;
      await wake.promise;
    }
  }

  async function deliverEntries(entries: QueueEntry[]): Promise<void> {
    const merged = mergeTraces(entries.map((e) => e.traces));
    const parts = config.batch?.max_size ? splitTraces(merged, config.batch.max_size) : [merged];
    try {
      for (const part of parts) await deps.deliver(part, stop.signal);
    } catch (err) {
      if (stop.signal.aborted || (!accepting && persistent)) return; // stays for the next start
      const reason = `given up: ${errorMessage(err)}`;
      metrics.deadLettered(spanCount(merged));
      await deps.deadLetter(merged, reason);
    }
    store!.remove(entries.map((e) => e.seq));
    freed.fire();
  }

  async function consume(): Promise<void> {
    for (let batch = await nextBatch(); batch; batch = await nextBatch()) {
      await deliverEntries(batch);
    }
  }

  return {
    enqueue,
    async start(host) {
      store = deps.openStore(host);
      metrics.observe(() => used());
      watch.useQueue({
        persistent,
        capacity: config.queue_size,
        sizer: config.sizer,
        size: () => (store ? used() : 0),
      });
      watch.attach(host);
      accepting = true;
      if (store.totals.requests > 0) {
        logger.info(
          { requests: store.totals.requests, items: store.totals.items },
          'resuming a persistent queue',
        );
      }
      consumers = Array.from({ length: config.num_consumers }, () => consume());
    },
    shutdown() {
      stopped ??= (async () => {
        accepting = false;
        watch.stop();
        if (persistent)
          stop.abort(new RetryableError('ERR_SHUTTING_DOWN', 'the exporter is shutting down'));
        wake.fire();
        freed.fire();
        await Promise.all(consumers);
        if (store && store.totals.requests > 0) {
          logger.info(
            { requests: store.totals.requests, items: store.totals.items, persistent },
            persistent
              ? 'queue kept on disk for the next start'
              : 'memory queue not fully sent at shutdown',
          );
        }
        store?.close();
      })();
      return stopped;
    },
  };

  function signal() {
    let fire!: () => void;
    const promise = new Promise<void>((r) => {
      fire = r;
    });
    return {
      promise,
      fire: () => {
        fire();
        // Re-arm: the next waiter waits for the next event.
        if (wake.promise === promise) wake = signal();
        if (freed.promise === promise) freed = signal();
      },
    };
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
