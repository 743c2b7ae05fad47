import type { Component, Settings, TracesConsumer } from '../../component/types.js';
import { RetryableError } from '../../errors/errors.js';
import { spanCount } from '../../pdata/count.js';
import type { SpanInContext } from '../../pdata/map-spans.js';
import type {
  InstrumentationScope,
  Resource,
  ResourceSpans,
  ScopeSpans,
  Span,
  Traces,
} from '../../pdata/traces.js';
import type { GenAiConfig } from './config.js';
import { dialectOf, fragmentOf, isDifyHelperSpan } from './dify/dialect.js';
import type { DifySpan } from './dify/group.js';
import { DifyHold, type Released } from './dify/hold.js';
import { holdMetrics } from './dify/metrics.js';
import { normalizeSpan } from './normalize.js';

/**
 * `genai`: every span into the canonical vocabulary; spans of Dify's Phoenix and Aliyun
 * providers first through the hold, which rebuilds them from Dify's ids once their run or
 * message is known. A batch is answered when what it released was accepted downstream; spans
 * it left waiting are acknowledged at once (Dify's Phoenix exporter waits for each answer before
 * it sends the run's span, so waiting for the run would never end). Spans the wait ends for on
 * the timer go on without a caller, and a failure there is logged.
 */
export class GenAiProcessor implements Component, TracesConsumer {
  private readonly hold?: DifyHold;
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
      const hold: DifyHold = new DifyHold(
        config.dify_hold,
        holdMetrics(settings, () => hold.state),
        config.drop_dify_helper_spans,
      );
      this.hold = hold;
    }
  }

  async start(): Promise<void> {}

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
      out.push(...this.hold.add(dify));
      this.schedule();
    }
    await this.send(out);
  }

  shutdown(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.timer) clearTimeout(this.timer);
      if (this.hold) this.sendInBackground(this.hold.expire(true));
      await Promise.allSettled([...this.inFlight]);
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

  private sendInBackground(released: readonly Released[]): void {
    if (released.length === 0) return;
    const sent = this.send(released).catch((err: unknown) => {
      this.settings.logger.warn(
        { err, spans: released.length },
        'Dify spans released after their wait were refused downstream',
      );
    });
    this.inFlight.add(sent);
    void sent.finally(() => this.inFlight.delete(sent));
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
        this.sendInBackground(this.hold!.expire());
        this.schedule();
      },
      Math.max(0, at - Date.now()),
    );
    this.timer.unref();
  }
}

/** The schema URLs of the resources and scopes spans came under, kept for the way out. */
const schemaUrls = new WeakMap<Resource | InstrumentationScope, string>();

/** Every span with its resource and scope. */
function* spansOf(traces: Traces): Generator<SpanInContext> {
  for (const rs of traces.resourceSpans) {
    if (rs.schemaUrl) schemaUrls.set(rs.resource, rs.schemaUrl);
    for (const ss of rs.scopeSpans) {
      if (ss.schemaUrl) schemaUrls.set(ss.scope, ss.schemaUrl);
      for (const span of ss.spans) yield { span, resource: rs.resource, scope: ss.scope };
    }
  }
}

/** One batch of the released spans, each under its own resource and scope. */
function assemble(released: readonly Released[]): Traces {
  const byResource = new Map<Resource, Map<InstrumentationScope, Span[]>>();
  for (const { ctx, normalize } of released) {
    let scopes = byResource.get(ctx.resource);
    if (!scopes) {
      scopes = new Map();
      byResource.set(ctx.resource, scopes);
    }
    let spans = scopes.get(ctx.scope);
    if (!spans) {
      spans = [];
      scopes.set(ctx.scope, spans);
    }
    spans.push(normalize ? normalizeSpan(ctx.span) : ctx.span);
  }
  const resourceSpans: ResourceSpans[] = [];
  for (const [resource, scopes] of byResource) {
    const scopeSpans: ScopeSpans[] = [];
    for (const [scope, spans] of scopes) {
      scopeSpans.push({ scope, spans, schemaUrl: schemaUrls.get(scope) ?? '' });
    }
    resourceSpans.push({ resource, scopeSpans, schemaUrl: schemaUrls.get(resource) ?? '' });
  }
  return { resourceSpans };
}
