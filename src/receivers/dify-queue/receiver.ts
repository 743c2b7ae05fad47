import type { Component, Host, Settings, TracesConsumer } from '../../component/types.js';
import { asRetryable, errorMessage, isPermanent } from '../../errors/errors.js';
import type { Traces } from '../../pdata/traces.js';
import { type ReceiverReport, receiverReport } from '../../receiverhelper/obsreport.js';
import { type SkippedCounter, skippedEnvelopes, skippedTypeLabel } from '../dify/metrics.js';
import { type DifyQueueReceiverConfig, listsOf } from './config.js';
import { DifyStorage } from './dify-storage.js';
import { type QueueMetrics, queueMetrics } from './metrics.js';
import type { NodeRows } from './node-rows.js';
import { Outage, Outages, reasonOf, STOPPED } from './outage.js';
import { Places } from './places.js';
import { type Prepared, prepareMessage } from './prepare.js';
import type { TraceQueue } from './redis-queue.js';
import { parseTaskMessage, type TraceTask } from './task-message.js';

/** Seconds one BLMOVE waits for a message before it is issued again. */
const TAKE_TIMEOUT_S = 2;

type SetAside = Prepared & { kind: 'set_aside' };

/**
 * The `dify_queue` receiver: takes Dify's own `ops_trace` Celery queue from Redis, reads each
 * task's envelope from Dify's storage (and a workflow run's node rows from its database), maps
 * it with the `dify` receiver's mapping, and finishes the message (file deleted, message
 * removed) only once the pipeline accepted the spans. At least once: see README.md.
 *
 * The Redis and PostgreSQL clients are loaded when the receiver starts, so a collector without
 * this receiver does not pay for them.
 */
export class DifyQueueReceiver implements Component {
  private queue?: TraceQueue;
  private nodeRows?: NodeRows;
  private readonly storage: DifyStorage;
  private readonly report: ReceiverReport;
  private readonly skipped: SkippedCounter;
  private readonly metrics: QueueMetrics;
  private readonly outages: Outages;
  private readonly stop = new AbortController();
  private readonly stopSignalled: Promise<false>;
  private readonly tasks = new Set<Promise<void>>();
  /** Messages being processed: at most `concurrency`. */
  private readonly working: Places;
  private loop?: Promise<void>;
  private stopped?: Promise<void>;
  /** Messages taken and not finished: at most `prefetch` (more only after a crash). */
  private inFlight = 0;
  private slotFreed?: () => void;

  constructor(
    private readonly settings: Settings,
    private readonly config: DifyQueueReceiverConfig,
    private readonly next: TracesConsumer,
  ) {
    this.storage = new DifyStorage(config.storage);
    this.report = receiverReport(settings, 'redis');
    this.skipped = skippedEnvelopes(settings.telemetry);
    this.metrics = queueMetrics(settings, () => this.inFlight);
    this.working = new Places(config.concurrency);
    const b = config.backoff;
    this.outages = new Outages(
      settings.logger,
      {
        initialIntervalMs: b.initial_interval,
        maxIntervalMs: b.max_interval,
        multiplier: b.multiplier,
        randomizationFactor: b.randomization_factor,
        maxElapsedTimeMs: 0,
      },
      this.stop.signal,
    );
    this.stopSignalled = new Promise((resolve) =>
      this.stop.signal.addEventListener('abort', () => resolve(false), { once: true }),
    );
  }

  async start(host: Host): Promise<void> {
    if (this.loop || this.stopping) return;
    this.outages.host = host;
    const [{ TraceQueue }, { NodeRows }] = await Promise.all([
      import('./redis-queue.js'),
      import('./node-rows.js'),
    ]);
    if (this.stopping) return;
    const lists = listsOf(this.config.redis);
    const queue = new TraceQueue(this.config.redis.url, lists, (err) =>
      this.outages.markDown('redis', `Redis at ${queue.address}: ${reasonOf(err)}`),
    );
    this.queue = queue;
    this.nodeRows = new NodeRows(
      this.config.database.url,
      this.config.concurrency,
      this.storage,
      (err) =>
        this.settings.logger.debug(
          { err: reasonOf(err) },
          'dify_queue: a pooled database connection closed',
        ),
    );
    this.settings.logger.info(
      {
        redis: queue.address,
        queue: lists.queue,
        processing_list: lists.processing,
        storage_root: this.storage.root,
        database: this.nodeRows.address,
      },
      'dify_queue receiver taking Dify’s trace queue',
    );
    this.loop = this.run(queue);
  }

  shutdown(): Promise<void> {
    // Stop taking at once; what is in flight ends its current step, or stays in the processing
    // list for the next start.
    this.stop.abort();
    this.slotFreed?.();
    this.queue?.interrupt();
    this.stopped ??= (async () => {
      await this.loop;
      await Promise.all([...this.tasks]);
      this.queue?.close();
      await this.nodeRows?.close();
    })();
    return this.stopped;
  }

  private get stopping(): boolean {
    return this.stop.signal.aborted;
  }

  /** Connects, takes back what a crash left in the processing list, then takes new messages. */
  private async run(queue: TraceQueue): Promise<void> {
    const connected = queue.connect().then(
      () => true,
      () => false,
    );
    if (!(await Promise.race([connected, this.stopSignalled]))) return;
    this.outages.up('redis');
    const leftovers = await this.outages.retrying(() => queue.pending());
    if (leftovers === STOPPED) return;
    for (const raw of leftovers) {
      this.metrics.taken('processing_list');
      this.dispatch(raw, true);
    }
    for (let failures = 0; !this.stopping; ) {
      if (this.inFlight >= this.config.prefetch) {
        await new Promise<void>((resolve) => {
          this.slotFreed = resolve;
        });
        continue;
      }
      let raw: string | null;
      try {
        raw = await queue.take(TAKE_TIMEOUT_S);
      } catch (err) {
        if (this.stopping || !(err instanceof Outage)) break;
        await this.outages.pause(err, failures++);
        continue;
      }
      failures = 0;
      this.outages.up('redis');
      if (raw === null) continue;
      this.metrics.taken('queue');
      this.dispatch(raw, false);
    }
  }

  private dispatch(raw: string, recovered: boolean): void {
    this.inFlight++;
    const task: Promise<void> = this.process(raw, recovered)
      .catch((err: unknown) =>
        this.settings.logger.error(
          { err: errorMessage(err) },
          'dify_queue: processing a message failed; it stays in the processing list',
        ),
      )
      .finally(() => {
        this.inFlight--;
        this.tasks.delete(task);
        this.slotFreed?.();
      });
    this.tasks.add(task);
  }

  /** One message, start to finish; returns early (the message stays) when shutting down. */
  private async process(raw: string, recovered: boolean): Promise<void> {
    await this.working.take();
    try {
      if (this.stopping) return;
      const prepared = await this.prepare(raw, recovered);
      if (prepared === STOPPED) return;
      this.count(prepared);
      switch (prepared.kind) {
        case 'spans': {
          const outcome = await this.deliver(prepared.traces, prepared.spanCount);
          if (outcome === 'accepted') return await this.finish(raw, prepared.task);
          if (outcome === 'refused') {
            return await this.setAside(raw, {
              kind: 'set_aside',
              reason: 'pipeline_refused',
              detail: 'the pipeline refused the spans permanently',
              task: prepared.task,
            });
          }
          return;
        }
        case 'skipped':
          return await this.finish(raw, prepared.task);
        case 'done_before':
          await this.outages.retrying(() => this.queue!.finish(raw));
          return;
        case 'set_aside':
          return await this.setAside(raw, prepared);
      }
    } finally {
      this.working.leave();
    }
  }

  /** The message's spans, waiting out outages; an envelope the mapping throws on is set aside. */
  private async prepare(raw: string, recovered: boolean): Promise<Prepared | typeof STOPPED> {
    try {
      return await this.outages.retrying(() =>
        prepareMessage(raw, recovered, this.storage, this.nodeRows!),
      );
    } catch (err) {
      const parsed = parseTaskMessage(raw);
      return {
        kind: 'set_aside',
        reason: 'rejected_envelope',
        detail: `the envelope could not be converted: ${errorMessage(err)}`,
        task: parsed.ok ? parsed.task : undefined,
      };
    }
  }

  private count(p: Prepared): void {
    if (p.kind === 'done_before') return;
    if (p.traceInfoType !== undefined) this.metrics.envelope(p.traceInfoType);
    if (p.kind === 'skipped') {
      this.skipped.inc({
        receiver: this.settings.id,
        transport: 'redis',
        trace_info_type: skippedTypeLabel(p.traceInfoType),
      });
    }
    if (p.kind !== 'spans' || !p.run) return;
    this.metrics.nodeRows(p.run.rows.length);
    this.metrics.offloads('loaded', p.run.offloadsLoaded);
    this.metrics.offloads('missing', p.run.offloadsMissing.length);
    for (const m of p.run.offloadsMissing) {
      this.settings.logger.warn(
        { key: m.key, detail: m.detail, file: this.storage.envelopeKey(p.task) },
        'dify_queue: an offloaded node payload is missing from storage; its truncated value is used',
      );
    }
  }

  /** Hands the spans to the pipeline until it accepts them, refuses them for good, or we stop. */
  private async deliver(
    traces: Traces,
    spanCount: number,
  ): Promise<'accepted' | 'refused' | 'stopped'> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.next.consume(traces);
        this.report.accepted(spanCount);
        return 'accepted';
      } catch (err) {
        this.report.refused(spanCount);
        if (isPermanent(err)) return 'refused';
        if (!(await this.outages.backoff(attempt, asRetryable(err)?.retryAfterMs)))
          return 'stopped';
      }
    }
  }

  /** The spans are in: delete the envelope file (as Dify's worker does), then the message. */
  private async finish(raw: string, task: TraceTask): Promise<void> {
    try {
      await this.storage.removeEnvelope(task);
    } catch (err) {
      this.settings.logger.warn(
        { file: this.storage.envelopeKey(task), err: reasonOf(err) },
        'dify_queue: could not delete a finished envelope file; it stays in Dify’s storage',
      );
    }
    await this.outages.retrying(() => this.queue!.finish(raw));
  }

  /** Moves the message to the dead-letter list; its envelope file (if any) stays in storage. */
  private async setAside(raw: string, p: SetAside): Promise<void> {
    const file = p.task ? this.storage.envelopeKey(p.task) : undefined;
    const record = { reason: p.reason, detail: p.detail, receiver: this.settings.id, file };
    const done = await this.outages.retrying(() => this.queue!.setAside(raw, record));
    if (done === STOPPED) return;
    this.metrics.setAside(p.reason);
    if (p.reason !== 'pipeline_refused') this.report.failed(1);
    this.settings.logger.warn(
      { ...record, dead_letter_list: this.queue!.lists.deadLetter },
      'dify_queue: a message was set aside',
    );
  }
}
