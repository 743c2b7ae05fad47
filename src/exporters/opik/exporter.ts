import type { Component, Settings, TracesConsumer } from '../../component/types.js';
import { isPermanent } from '../../errors/errors.js';
import { policyFromConfig } from '../../exporterhelper/backoff.js';
import { buildChain } from '../../exporterhelper/chain.js';
import { exporterOf } from '../../exporterhelper/define-exporter.js';
import { deliveryWatch } from '../../exporterhelper/delivery-watch.js';
import type { FailureVerdict } from '../../exporterhelper/fallback.js';
import { isLocalFailure } from '../../exporterhelper/split.js';
import type { Traces } from '../../pdata/traces.js';
import type { IdStore } from '../../storage/id-store.js';
import { isHeaderSafe, opikHttpFor } from './client.js';
import { checksIngestionWindow, type OpikConfig } from './config.js';
import { DeadLetterFile } from './dead-letter.js';
import type { DeliveryContext } from './deliver.js';
import { idStep } from './ids-step.js';
import { opikMetrics } from './metrics.js';
import { PathError } from './path-error.js';
import { otlpPath, restPath } from './paths.js';
import { type Payload, preparePayload } from './payload.js';
import { RecentIds } from './recent-ids.js';
import { opikLinks, RecentTraces } from './recent-traces.js';

/** What tests may replace. */
export interface OpikExporterDeps {
  readonly now?: () => number;
  readonly random?: () => number;
  /** Where ids are remembered; otherwise the configured storage, or memory. */
  readonly idStore?: IdStore;
}

/** How a failure of the primary (OTLP) path counts toward switching to REST. */
export function judgeOpikFailure(err: unknown): FailureVerdict {
  // Bad data, or data the collector's own code fails on (split out by the chain), is no sign
  // that the OTLP endpoint is unusable.
  if (isPermanent(err) || isLocalFailure(err)) return 'ignore';
  if (!(err instanceof PathError)) return 'count';
  if (err.code === 'ERR_EXPORT_ENDPOINT_UNUSABLE') return 'switch';
  // Credentials are the same on both paths, and a REST step fails the same way on the fallback.
  if (err.code === 'ERR_EXPORT_UNAUTHORIZED' || err.path === 'rest') return 'ignore';
  return 'count';
}

/**
 * The `opik` exporter: a batch gets its Opik ids, is mapped once to Opik's objects, and goes out
 * through the senders `chain.ts` composes (ids → queue → map → retry → fallback(OTLP, REST)).
 * It publishes its Opik project and the traces it delivered lately for the status page; its
 * delivery watch (fed by the chain and the dead-letter file) logs and reports its health.
 */
export function createOpikExporter(
  settings: Settings,
  config: OpikConfig,
  deps: OpikExporterDeps = {},
): Component & TracesConsumer {
  const now = deps.now ?? Date.now;
  const metrics = opikMetrics(settings);
  const watch = deliveryWatch(settings);
  const deadLetter = new DeadLetterFile({
    ...config.dead_letter,
    exporterId: settings.id,
    logger: settings.logger,
    report: (items, reason, file) => watch.deadLettered(items, reason, file),
  });
  watch.useDeadLetters(deadLetter.file ?? null);
  const links = opikLinks(config.endpoint, config.workspace, config.project_name);
  const recentTraces = new RecentTraces(links);
  const recentTraceRows = new RecentIds(10_000);
  const http = opikHttpFor(config);
  const ids = idStep(settings, config, deps);
  const ctx: DeliveryContext = {
    http,
    maxItems: config.max_items_per_request,
    now,
    metrics,
    recentTraceRows,
    deadLetter: (entries) => deadLetter.write(entries),
    knownTraces: (otelTraceIds) => ids.knownTraces(otelTraceIds),
  };
  const window =
    checksIngestionWindow(config) && config.ingestion_window.outside === 'dead_letter'
      ? { ms: config.ingestion_window.window, now }
      : undefined;

  /** Maps a batch; what is set aside before sending (outside the window) is dead-lettered now. */
  async function prepare(traces: Traces): Promise<Payload> {
    const payload = preparePayload(traces, {
      projectName: config.project_name,
      adjust: (reason) => metrics.adjusted(reason),
      recentTraceRows,
      window,
    });
    if (payload.refused.length > 0) {
      await deadLetter.write(payload.refused);
      for (const kind of ['span', 'trace'] as const) {
        metrics.deadLettered(kind, payload.refused.filter((r) => r.kind === kind).length);
      }
    }
    return payload;
  }

  /**
   * A batch the queue gave up on: every item written to the dead-letter file with the reason,
   * counted once written (when the file cannot be written, the queue keeps the batch).
   */
  async function deadLetterBatch(traces: Traces, reason: string) {
    const payload = preparePayload(traces, {
      projectName: config.project_name,
      adjust: () => {},
      recentTraceRows: new RecentIds(0),
    });
    const spans = payload.spans.map((s) => ({ kind: 'span' as const, reason, item: s.opik }));
    const rows = payload.traces.filter((t) => !t.placeholder);
    const updates = payload.updates.map((u) => ({
      kind: `${u.entity}_update` as const,
      reason,
      item: u.body,
    }));
    const updated = (entity: 'trace' | 'span') =>
      payload.updates.filter((u) => u.entity === entity).length;
    await deadLetter.write([
      ...spans,
      ...rows.map((t) => ({ kind: 'trace' as const, reason, item: t.opik })),
      ...updates,
    ]);
    metrics.deadLettered('span', spans.length + updated('span'));
    metrics.deadLettered('trace', rows.length + updated('trace'));
  }

  const chain = buildChain<Payload>({
    settings,
    beforeQueue: ids,
    queue: config.sending_queue.enabled
      ? { config: config.sending_queue, deadLetter: deadLetterBatch }
      : undefined,
    prepare,
    failedSpans: (p) => p.deadLetteredSpans,
    delivered: (p) => recentTraces.record(p),
    primary: otlpPath(ctx, {
      projectName: config.project_name,
      headerSafe: isHeaderSafe(config.project_name),
      detectIdOverrides: config.detect_id_overrides,
      recheckMs: config.fallback.probe_interval,
      logger: settings.logger,
    }),
    secondary: restPath(ctx),
    timeoutMs: config.timeout,
    retry: {
      enabled: config.retry_on_failure.enabled,
      ...policyFromConfig(config.retry_on_failure),
    },
    retryDeps: { now, random: deps.random, onRetry: () => metrics.retry() },
    fallback: {
      enabled: config.fallback.enabled,
      switchAfterFailures: config.fallback.switch_after_failures,
      probeIntervalMs: config.fallback.probe_interval,
      judge: judgeOpikFailure,
      onSwitch: (to) => {
        metrics.fallbackSwitch(to);
        metrics.fallbackActive(to === 'secondary');
      },
      names: { primary: 'otlp', secondary: 'rest' },
      now,
    },
  });
  const exporter = exporterOf(chain);
  let stopped: Promise<void> | undefined;
  return {
    // Batches in their wire form are mapped from their bytes (wire-ids.ts, wire-payload.ts).
    takesWire: true,
    consume: exporter.consume,
    async start(host) {
      host.publishDetails(() => ({
        destination: { label: `Opik project "${config.project_name}"`, url: links.project },
        recentTraces: recentTraces.list(),
      }));
      if (!isHeaderSafe(config.project_name)) {
        settings.logger.warn(
          { project_name: config.project_name },
          'project_name is not ASCII; Opik reads the projectName header as Latin-1, so the REST API carries everything',
        );
      }
      await exporter.start(host);
    },
    // The chain stops outside in (queue, retry, paths); then the connections and the dead letter.
    shutdown() {
      stopped ??= (async () => {
        await exporter.shutdown();
        await http.close();
        await deadLetter.flush();
      })();
      return stopped;
    },
  };
}
