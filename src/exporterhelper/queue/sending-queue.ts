import type { Host, Settings } from '../../component/types.js';
import { asRetryable, CollectorError, errorMessage, RetryableError } from '../../errors/errors.js';
import { encodeTracesRequest } from '../../otlp/proto-codec.js';
import { spanCount } from '../../pdata/count.js';
import { mergeTraces, splitTraces } from '../../pdata/split.js';
import type { Traces } from '../../pdata/traces.js';
import { queueStoreFrom } from '../../storage/extension.js';
import type { QueueEntry, QueueStore } from '../../storage/queue-store.js';
import { StorageUnavailableError, storageFault } from '../../storage/unavailable.js';
import { type BackoffPolicy, nextDelay } from '../backoff.js';
import type { DeadLetter } from '../dead-letter.js';
import { deliveryWatch } from '../delivery-watch.js';
import type { Sender } from '../sender.js';
import type { SendingQueueConfig } from './config.js';
import { MemoryQueueStore } from './memory-store.js';
import { queueMetrics } from './metrics.js';

export interface QueueOptions {
  /** The owner of the queue: its logger and metrics, and the name of its store. */
  readonly settings: Settings;
  readonly config: SendingQueueConfig;
  /**
   * Where a batch given up on goes: never dropped silently. When it rejects (the dead-letter
   * file cannot be written), the batch stays in the queue and is tried again later.
   */
  readonly deadLetter: DeadLetter;
  /** How long a batch the destination refuses to take (`blocked`) waits before it is tried again. */
  readonly backoff: BackoffPolicy;
}

/** How long the queue waits before it tries again what it could not finish (store, dead letter). */
const RETRY_LATER_MS = { first: 1_000, max: 30_000 };

/**
 * The `sending_queue` as a sender: `send` puts a batch in the queue and returns (once it is on
 * disk, with `storage`); `num_consumers` loops take batches (merged up to `batch.max_size` when
 * batching is on) and hand them to `next`. An entry leaves the store only when its delivery
 * finished: delivered, or given up and written by `deadLetter`. The store is a memory one, or the
 * one the storage extension named by `storage` offers (never its database). On shutdown a
 * persistent queue stops at once and keeps what it holds for the next start; a memory queue
 * first drains what it holds; then `next` shuts down. The exporter's delivery watch learns where
 * data waits.
 *
 * Faults of the disk never stop it: a store that cannot be opened is tried again every few
 * seconds while new data is refused (`StorageUnavailableError`: 503 with Retry-After upstream);
 * a store that cannot write refuses new data the same way and keeps what it holds; a batch whose
 * dead letter cannot be written stays in the queue and is tried again later. Each is reported
 * through the delivery watch (an error line, the exporter `degraded`) and cleared once it passes.
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
  const later = new Set<NodeJS.Timeout>();
  let openError: unknown;
  let deadLetterFaults = 0;
  const persistent = config.storage !== undefined;
  const maxItems = config.batch ? config.batch.max_size || Number.POSITIVE_INFINITY : 0;

  const used = () => {
    const t = store!.totals;
    return config.sizer === 'requests' ? t.requests : config.sizer === 'items' ? t.items : t.bytes;
  };

  /** Runs `task` after `ms`, unless the queue stops first. */
  function runLater(ms: number, task: () => void): void {
    const timer = setTimeout(() => {
      later.delete(timer);
      task();
    }, ms);
    timer.unref();
    later.add(timer);
  }

  /** Opens the store now, or keeps trying (backing off) while the storage cannot be opened. */
  function openStore(host: Host, attempt = 0): void {
    try {
      store =
        config.storage === undefined
          ? new MemoryQueueStore()
          : queueStoreFrom(host, config.storage, { kind: settings.kind, id: settings.id });
    } catch (err) {
      // A wrong setting fails the start; a fault of the disk is waited out.
      if (attempt === 0 && !(err instanceof StorageUnavailableError)) throw err;
      openError = err;
      watch.trouble('storage', storageFault(err));
      const wait = Math.min(RETRY_LATER_MS.max, RETRY_LATER_MS.first * 2 ** attempt);
      runLater(wait, () => {
        if (accepting) openStore(host, attempt + 1);
      });
      return;
    }
    watch.trouble('storage', undefined);
    if (store.totals.requests > 0) {
      logger.info(
        { requests: store.totals.requests, items: store.totals.items },
        'resuming a persistent queue',
      );
    }
    consumers = Array.from({ length: config.num_consumers }, () => consume());
  }

  async function enqueue(traces: Traces): Promise<void> {
    const items = spanCount(traces);
    if (!accepting) {
      throw new RetryableError('ERR_SHUTTING_DOWN', 'the exporter is shutting down');
    }
    if (!store) {
      metrics.enqueueFailed(items);
      throw new StorageUnavailableError('the sending queue cannot open its storage', openError);
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
    try {
      await store.put([{ traces, items, bytes }]);
    } catch (err) {
      metrics.enqueueFailed(items);
      if (err instanceof StorageUnavailableError) watch.trouble('storage', storageFault(err));
      throw err;
    }
    watch.trouble('storage', undefined);
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
   * fails otherwise is given up on: that part and the ones after it are dead-lettered, the parts
   * delivered before it are not. When the dead letter cannot be written, the entries stay in
   * the queue and are tried again later.
   */
  async function deliverEntries(entries: QueueEntry[]): Promise<void> {
    const merged = mergeTraces(entries.map((e) => e.traces));
    const parts = config.batch?.max_size ? splitTraces(merged, config.batch.max_size) : [merged];
    for (let i = 0; i < parts.length; i++) {
      const failure = await deliverHolding(parts[i]!);
      if (failure === undefined) continue;
      if (keeping()) return; // stays for the next start
      if (isDeadLetterFault(failure)) {
        // Items Opik refused could not be written: nothing is given up, the batch stays.
        keepForLater(entries, failure);
        return;
      }
      try {
        await options.deadLetter(mergeTraces(parts.slice(i)), `given up: ${errorMessage(failure)}`);
      } catch (err) {
        keepForLater(entries, err);
        return;
      }
      deadLetterFaults = 0;
      watch.trouble('dead_letter', undefined);
      break;
    }
    store!.remove(entries.map((e) => e.seq));
    freed.fire();
  }

  /** Entries whose dead letter could not be written: handed out again after a backoff. */
  function keepForLater(entries: QueueEntry[], err: unknown): void {
    const items = entries.reduce((n, e) => n + e.items, 0);
    watch.trouble(
      'dead_letter',
      `the dead-letter file cannot be written (${errorMessage(err)}); what should go there stays in the queue and is tried again`,
    );
    logger.debug({ items }, 'entries kept in the queue: their dead letter could not be written');
    const wait = nextDelay(options.backoff, deadLetterFaults++, undefined, Math.random);
    runLater(wait, () => {
      store?.release(entries.map((e) => e.seq));
      wake.fire();
    });
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

  /**
   * One consumer: takes and delivers until the queue stops. A fault it did not expect is logged
   * and waited out, so the loop (and the process) lives on.
   */
  async function consume(): Promise<void> {
    for (let faults = 0; ; ) {
      try {
        const batch = await nextBatch();
        if (!batch) return;
        await deliverEntries(batch);
        faults = 0;
      } catch (err) {
        faults++;
        logger.error(
          { error: errorMessage(err) },
          'sending queue: unexpected fault while delivering; trying again shortly',
        );
        await Promise.race([
          delay(Math.min(RETRY_LATER_MS.max, RETRY_LATER_MS.first * 2 ** faults)),
          closing.promise,
        ]);
      }
    }
  }

  return {
    send: (traces) => enqueue(traces),
    async start(host) {
      await next.start(host);
      watch.attach(host);
      accepting = true;
      metrics.observe(() => (store ? used() : 0));
      watch.useQueue({
        persistent,
        capacity: config.queue_size,
        sizer: config.sizer,
        size: () => (store ? used() : 0),
      });
      openStore(host);
    },
    shutdown() {
      stopped ??= (async () => {
        accepting = false;
        for (const timer of later) clearTimeout(timer);
        later.clear();
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

/** A failure that says the dead-letter file cannot be written (not that the data is bad). */
function isDeadLetterFault(err: unknown): boolean {
  return err instanceof CollectorError && err.code === 'ERR_DEAD_LETTER_UNWRITABLE';
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
