import type { Host, Settings } from '../../component/types.js';
import { asRetryable, errorMessage, RetryableError } from '../../errors/errors.js';
import { encodeTracesRequest } from '../../otlp/proto-codec.js';
import { spanCount } from '../../pdata/count.js';
import { mergeTraces, splitTraces } from '../../pdata/split.js';
import type { Traces } from '../../pdata/traces.js';
import { queueStoreFrom } from '../../storage/extension.js';
import type { QueueEntry, QueueStore } from '../../storage/queue-store.js';
import { type BackoffPolicy, nextDelay } from '../backoff.js';
import { deliveryWatch } from '../delivery-watch.js';
import type { Sender } from '../sender.js';
import type { SendingQueueConfig } from './config.js';
import { MemoryQueueStore } from './memory-store.js';
import { queueMetrics } from './metrics.js';

export interface QueueOptions {
  /** The owner of the queue: its logger and metrics, and the name of its store. */
  readonly settings: Settings;
  readonly config: SendingQueueConfig;
  /** Where a batch given up on goes: never dropped silently. */
  deadLetter(traces: Traces, reason: string): Promise<void>;
  /** How long a batch the destination refuses to take (`blocked`) waits before it is tried again. */
  readonly backoff: BackoffPolicy;
}

/**
 * The `sending_queue` as a sender: `send` puts a batch in the queue and returns (once it is on
 * disk, with `storage`); `num_consumers` loops take batches (merged up to `batch.max_size` when
 * batching is on) and hand them to `next`. An entry leaves the store only when its delivery
 * finished: delivered, or given up and handed to `deadLetter`. The store is a memory one, or the
 * one the storage extension named by `storage` offers (never its database). On shutdown a
 * persistent queue stops at once and keeps what it holds for the next start; a memory queue
 * first drains what it holds; then `next` shuts down. The exporter's delivery watch learns where
 * data waits.
 */
export function withQueue(next: Sender<Traces>, options: QueueOptions): Sender<Traces> {
  const { config, settings } = options;
  const logger = settings.logger;
  const metrics = queueMetrics(settings, config);
  const watch = deliveryWatch(settings);
  const stop = new AbortController();
  let store: QueueStore | undefined;
  let accepting = false;
  let consumers: Promise<void>[] = [];
  let wake = signal();
  let freed = signal();
  const closing = signal();
  let stopped: Promise<void> | undefined;
  const persistent = config.storage !== undefined;
  const maxItems = config.batch ? config.batch.max_size || Number.POSITIVE_INFINITY : 0;

  const used = () => {
    const t = store!.totals;
    return config.sizer === 'requests' ? t.requests : config.sizer === 'items' ? t.items : t.bytes;
  };

  function openStore(host: Host): QueueStore {
    if (config.storage === undefined) return new MemoryQueueStore();
    return queueStoreFrom(host, config.storage, { kind: settings.kind, id: settings.id });
  }

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
      if (keeping()) return undefined;
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

  /** True while what the queue holds must stay in it (a persistent queue at shutdown). */
  const keeping = () => stop.signal.aborted || (!accepting && persistent);

  /**
   * Delivers the entries (in parts of at most `batch.max_size`), then forgets them. A part the
   * destination refuses to take from this exporter (`blocked`: credentials) is held and tried
   * again after a backoff, past any retry budget, until it goes through or the queue stops. What
   * fails otherwise is given up on: that part and the ones after it are dead-lettered and
   * counted, the parts delivered before it are not.
   */
  async function deliverEntries(entries: QueueEntry[]): Promise<void> {
    const merged = mergeTraces(entries.map((e) => e.traces));
    const parts = config.batch?.max_size ? splitTraces(merged, config.batch.max_size) : [merged];
    for (let i = 0; i < parts.length; i++) {
      const failure = await deliverHolding(parts[i]!);
      if (failure === undefined) continue;
      if (keeping()) return; // stays for the next start
      const undelivered = mergeTraces(parts.slice(i));
      metrics.deadLettered(spanCount(undelivered));
      await options.deadLetter(undelivered, `given up: ${errorMessage(failure)}`);
      break;
    }
    store!.remove(entries.map((e) => e.seq));
    freed.fire();
  }

  /** Sends one part; resolves with the error it was given up on, or undefined once delivered. */
  async function deliverHolding(part: Traces): Promise<unknown> {
    for (let held = 0; ; held++) {
      try {
        await next.send(part, stop.signal);
        return undefined;
      } catch (err) {
        if (!asRetryable(err)?.blocked || !accepting) return err;
        const wait = nextDelay(options.backoff, held, asRetryable(err)?.retryAfterMs, Math.random);
        logger.debug(
          { delayMs: wait, error: errorMessage(err) },
          'destination refuses the exporter; holding the batch',
        );
        await Promise.race([delay(wait), closing.promise]);
      }
    }
  }

  async function consume(): Promise<void> {
    for (let batch = await nextBatch(); batch; batch = await nextBatch()) {
      await deliverEntries(batch);
    }
  }

  return {
    send: (traces) => enqueue(traces),
    async start(host) {
      await next.start(host);
      store = openStore(host);
      metrics.observe(() => used());
      watch.useQueue({
        persistent,
        capacity: config.queue_size,
        sizer: config.sizer,
        size: () => (store ? used() : 0),
      });
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
        if (persistent)
          stop.abort(new RetryableError('ERR_SHUTTING_DOWN', 'the exporter is shutting down'));
        wake.fire();
        freed.fire();
        closing.fire();
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
        await next.shutdown();
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
