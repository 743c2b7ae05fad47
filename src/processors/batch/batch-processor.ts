import type { Component, Settings, TracesConsumer } from '../../component/types.js';
import { RetryableError } from '../../errors/errors.js';
import { spanCount } from '../../pdata/count.js';
import type { Traces } from '../../pdata/traces.js';
import type { BatchConfig } from './config.js';
import { type BatchMetrics, batchMetrics } from './metrics.js';
import { PendingBuffer } from './pending.js';

/**
 * Creates a `batch` processor: spans are held until `send_batch_size` of them are buffered or
 * `timeout` has passed since the first of them arrived, then sent downstream in batches of at
 * most `send_batch_max_size`. Unlike the Collector's, `consume` settles only when the batches
 * carrying the caller's spans were accepted (or refused) downstream.
 */
export function createBatchProcessor(
  settings: Settings,
  config: BatchConfig,
  next: TracesConsumer,
): Component & TracesConsumer {
  return new BatchProcessor(settings, config, next);
}

class BatchProcessor implements Component, TracesConsumer {
  private readonly buffer = new PendingBuffer();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly metrics: BatchMetrics;
  private timer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly settings: Settings,
    private readonly config: BatchConfig,
    private readonly next: TracesConsumer,
  ) {
    this.metrics = batchMetrics(settings);
  }

  /** Batches pass as they are: in their wire form, they are joined and split as bytes. */
  get takesWire(): boolean {
    return this.next.takesWire === true;
  }

  async start(): Promise<void> {}

  consume(traces: Traces): Promise<void> {
    if (this.stopping !== undefined) {
      return Promise.reject(
        new RetryableError('ERR_SHUTTING_DOWN', `processor "${this.settings.id}" is shut down`),
      );
    }
    const spans = spanCount(traces);
    this.metrics.incoming.inc(spans);
    if (spans === 0) return Promise.resolve();
    const delivered = this.buffer.add(traces, spans);
    this.afterAdd();
    return delivered;
  }

  shutdown(): Promise<void> {
    this.stopping ??= this.drain();
    return this.stopping;
  }

  private afterAdd(): void {
    const { send_batch_size: size, send_batch_max_size: max, timeout } = this.config;
    if (timeout === 0) {
      // No timer: everything goes at once, split only by the max (the Collector's rule).
      this.metrics.sizeTrigger.inc(this.buffer.cut(max, 0, this.send));
      return;
    }
    if (this.buffer.spans >= size) {
      // Send full batches; a tail smaller than the trigger waits for more data or the timer.
      this.metrics.sizeTrigger.inc(this.buffer.cut(max, size, this.send));
      this.stopTimer();
    }
    if (this.buffer.spans > 0 && this.timer === undefined) {
      this.timer = setTimeout(this.onTimeout, timeout);
      this.timer.unref(); // a pending batch must not keep the process alive on its own
    }
  }

  private readonly onTimeout = (): void => {
    this.timer = undefined;
    this.metrics.timeoutTrigger.inc(this.buffer.cut(this.config.send_batch_max_size, 0, this.send));
  };

  private readonly send = (batch: Traces, spans: number): Promise<void> => {
    this.metrics.sendSize.observe(spans);
    this.metrics.outgoing.inc(spans);
    // An async wrapper turns a consumer that throws synchronously into a rejection.
    const sent = (async () => this.next.consume(batch))();
    this.inFlight.add(sent);
    const forget = () => this.inFlight.delete(sent);
    sent.then(forget, forget);
    return sent;
  };

  private stopTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Sends what is held (counted as a timeout send, as the Collector does) and waits for it all. */
  private async drain(): Promise<void> {
    this.stopTimer();
    this.metrics.timeoutTrigger.inc(this.buffer.cut(this.config.send_batch_max_size, 0, this.send));
    // Failures reach the callers still waiting in `consume`; shutdown itself succeeds.
    await Promise.allSettled([...this.inFlight]);
  }
}
