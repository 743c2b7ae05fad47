import type { Component, Host, Settings, TracesConsumer } from '../../component/types.js';
import { RetryableError } from '../../errors/errors.js';
import { spanCount } from '../../pdata/count.js';
import type { Traces } from '../../pdata/traces.js';
import { assemble, spansOf } from './batches.js';
import type { GenAiConfig } from './config.js';
import { dialectOf, fragmentOf, isDifyHelperSpan } from './dify/dialect.js';
import type { DifySpan, Held } from './dify/group.js';
import { DifyHold, type Released } from './dify/hold.js';
import { HoldStorage } from './dify/hold-storage.js';
import { holdMetrics } from './dify/metrics.js';

/**
 * `genai`: every span into the canonical vocabulary; spans of Dify's Phoenix and Aliyun
 * providers first through the hold, which rebuilds them from Dify's ids once their run or
 * message is known. A batch is answered when what it released was accepted downstream; spans
 * it left waiting are acknowledged at once (Dify's Phoenix exporter waits for each answer before
 * it sends the run's span, so waiting for the run would never end). Spans the wait ends for on
 * the timer go on without a caller, and a failure there is logged.
 *
 * With `dify_hold::storage`, what a batch left waiting is stored before the batch is answered,
 * released spans are forgotten there once accepted downstream (put back to wait again when
 * refused), what was stored waits on after a restart, and shutdown keeps it stored.
 */
export class GenAiProcessor implements Component, TracesConsumer {
  private readonly hold?: DifyHold;
  private readonly storage?: HoldStorage;
  private host: Host | undefined;
  private readonly incoming;
  private readonly outgoing;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly settings: Settings,
    private readonly config: GenAiConfig,
    private readonly next: TracesConsumer,
  ) {
    const labels = { processor: settings.id, pipeline: settings.pipelineId ?? '' };
    this.incoming = settings.telemetry.processorIncomingItems.labels(labels);
    this.outgoing = settings.telemetry.processorOutgoingItems.labels(labels);
    if (config.rebuild_dify_ids) {
      const storageId = config.dify_hold.storage;
      const metrics = holdMetrics(settings, () => hold.state);
      const hold: DifyHold = new DifyHold(
        config.dify_hold,
        metrics,
        config.drop_dify_helper_spans,
        Date.now,
        storageId !== undefined,
      );
      this.hold = hold;
      if (storageId !== undefined)
        this.storage = new HoldStorage(settings, storageId, hold, metrics);
    }
  }

  async start(host: Host): Promise<void> {
    this.host = host;
    // A disk that keeps the store from opening is waited out (`resume` on the next Dify span).
    if (this.storage) this.resume(host, this.storage);
  }

  async consume(traces: Traces): Promise<void> {
    if (this.stopping !== undefined) {
      throw new RetryableError('ERR_SHUTTING_DOWN', `processor "${this.settings.id}" is shut down`);
    }
    this.incoming.inc(spanCount(traces));
    const out: Released[] = [];
    const dify: DifySpan[] = [];
    for (const ctx of spansOf(traces)) {
      const dialect = dialectOf(ctx);
      if (dialect && this.hold) {
        const fragment = fragmentOf(ctx, dialect);
        if (fragment) {
          dify.push({ ctx, fragment });
          continue;
        }
      } else if (dialect && this.config.drop_dify_helper_spans && isDifyHelperSpan(ctx)) continue;
      out.push({ ctx, normalize: true });
    }
    if (this.hold && dify.length > 0) {
      if (this.storage && !this.resume(this.host!, this.storage)) throw this.storage.unavailable();
      out.push(...this.hold.add(dify));
      this.schedule();
    }
    if (!this.storage) return this.send(out);
    const freed = this.hold!.takeFreed();
    const refused = await this.storage.save(this.host!).then(
      () => undefined,
      (err: unknown) => err,
    );
    try {
      await this.send(out);
    } catch (err) {
      this.putBack(freed);
      throw refused ?? err;
    }
    this.storage.remove(freed);
    if (refused) throw refused;
  }

  shutdown(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.timer) clearTimeout(this.timer);
      // What waits in a storage waits on at the next start; from memory it goes on now.
      if (this.hold && !this.storage) this.sendInBackground(this.hold.expire(true), []);
      await Promise.allSettled([...this.inFlight]);
      if (this.storage && this.host) await this.storage.save(this.host).catch(() => {});
    })();
    return this.stopping;
  }

  private async send(released: readonly Released[]): Promise<void> {
    const traces = assemble(released);
    const n = spanCount(traces);
    if (n === 0) return;
    this.outgoing.inc(n);
    await this.next.consume(traces);
  }

  /** Opens the storage and lets what it kept wait on (once); false while it cannot be opened. */
  private resume(host: Host, storage: HoldStorage): boolean {
    const loaded = storage.open(host);
    if (!loaded) return false;
    if (loaded.length > 0) this.sendInBackground(loaded, this.hold!.takeFreed());
    this.schedule();
    return true;
  }

  /** Sends released spans without a caller; `freed`: the held spans they came from. */
  private sendInBackground(released: readonly Released[], freed: readonly Held[]): void {
    if (released.length === 0) return;
    const sent = this.send(released).then(
      () => this.storage?.remove(freed),
      (err: unknown) => {
        this.settings.logger.warn(
          { err, spans: released.length },
          this.storage
            ? 'Dify spans released after their wait were refused downstream; they wait again'
            : 'Dify spans released after their wait were refused downstream',
        );
        this.putBack(freed);
      },
    );
    this.inFlight.add(sent);
    void sent.finally(() => this.inFlight.delete(sent));
  }

  /** With a storage, held spans whose release was refused downstream wait again. */
  private putBack(freed: readonly Held[]): void {
    if (!this.storage || !this.host || freed.length === 0) return;
    this.storage.removeKeys(this.hold!.putBack(freed));
    this.saveInBackground();
    this.schedule();
  }

  /** Writes what the timer changed; a failure is logged and counted by the storage. */
  private saveInBackground(): void {
    if (this.storage && this.host) this.storage.save(this.host).catch(() => {});
  }

  /** One timer, at the earliest deadline of a held trace; it does not keep the process alive. */
  private schedule(): void {
    const at = this.hold?.nextDeadline();
    if (at === undefined || this.stopping !== undefined) return;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        const released = this.hold!.expire();
        this.saveInBackground();
        this.sendInBackground(released, this.hold!.takeFreed());
        this.schedule();
      },
      Math.max(0, at - Date.now()),
    );
    this.timer.unref();
  }
}
