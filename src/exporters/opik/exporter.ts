import type { Component, Host, Settings, TracesConsumer } from '../../component/types.js';
import { isPermanent } from '../../errors/errors.js';
import { policyFromConfig } from '../../exporterhelper/backoff.js';
import { buildChain } from '../../exporterhelper/chain.js';
import { countedPush, defineExporter } from '../../exporterhelper/define-exporter.js';
import { deliveryWatch } from '../../exporterhelper/delivery-watch.js';
import type { FailureVerdict } from '../../exporterhelper/fallback.js';
import { MemoryQueueStore } from '../../exporterhelper/queue/memory-store.js';
import { createSendingQueue } from '../../exporterhelper/queue/sending-queue.js';
import { SqliteQueueStore } from '../../exporterhelper/queue/sqlite-store.js';
import { mapSender, type Sender } from '../../exporterhelper/sender.js';
import { isStorage } from '../../extensions/file-storage/file-storage.js';
import { spanCount } from '../../pdata/count.js';
import type { Traces } from '../../pdata/traces.js';
import { AuthWatch } from './auth-watch.js';
import { isHeaderSafe, opikHttpFor } from './client.js';
import { checksIngestionWindow, type OpikConfig } from './config.js';
import { DeadLetterFile } from './dead-letter.js';
import type { DeliveryContext } from './deliver.js';
import { ExplicitIds } from './explicit-ids.js';
import { opikMetrics } from './metrics.js';
import type { Encode } from './otlp-delivery.js';
import { PathError } from './path-error.js';
import { otlpPath, restPath } from './paths.js';
import { type Payload, preparePayload } from './payload.js';
import { RecentIds } from './recent-ids.js';
import { opikLinks, RecentTraces } from './recent-traces.js';
import { sqliteTraceTimestampStore } from './sqlite-trace-memory.js';
import { stampIds } from './stamp-ids.js';
import { memoryTraceTimestampStore, type TraceTimestampStore } from './trace-memory.js';

/** What tests (and a later persistent queue) may replace. */
export interface OpikExporterDeps {
  readonly encode: Encode;
  readonly now?: () => number;
  readonly random?: () => number;
  /** Where trace timestamps are remembered; in memory unless a persistent store is given. */
  readonly traceTimestamps?: TraceTimestampStore;
}

/** How a failure of the primary (OTLP) path counts toward switching to REST. */
export function judgeOpikFailure(err: unknown): FailureVerdict {
  if (isPermanent(err)) return 'ignore';
  if (!(err instanceof PathError)) return 'count';
  if (err.code === 'ERR_EXPORT_ENDPOINT_UNUSABLE') return 'switch';
  // Credentials are the same on both paths, and a REST step fails the same way on the fallback.
  if (err.code === 'ERR_EXPORT_UNAUTHORIZED' || err.path === 'rest') return 'ignore';
  return 'count';
}

/**
 * The `opik` exporter: maps each batch once (ids, Opik objects), then sends it through the chain
 * retry → fallback(OTLP path, REST path). `sender` is the whole chain as one `Sender<Traces>`,
 * the place a sending queue wraps later.
 */
export function createOpikExporter(
  settings: Settings,
  config: OpikConfig,
  deps: OpikExporterDeps,
): Component & TracesConsumer & { readonly sender: Sender<Traces> } {
  const now = deps.now ?? Date.now;
  const metrics = opikMetrics(settings);
  const auth = new AuthWatch(settings.logger);
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
  const explicitIds = new ExplicitIds(config.trace_id_memory.max_entries);
  let store: TraceTimestampStore =
    deps.traceTimestamps ??
    memoryTraceTimestampStore({
      ttlMs: config.trace_id_memory.ttl,
      maxEntries: config.trace_id_memory.max_entries,
      now,
    });
  const http = opikHttpFor(config);
  const ctx: DeliveryContext = {
    http,
    maxItems: config.max_items_per_request,
    now,
    auth,
    metrics,
    recentTraceRows,
    deadLetter: (entries) => deadLetter.write(entries),
  };
  const primary = otlpPath(ctx, {
    projectName: config.project_name,
    headerSafe: isHeaderSafe(config.project_name),
    detectIdOverrides: config.detect_id_overrides,
    recheckMs: config.fallback.probe_interval,
    encode: deps.encode,
    logger: settings.logger,
  });
  const chain = buildChain<Payload>({
    primary,
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
    logger: settings.logger,
    watch,
  });
  const window =
    checksIngestionWindow(config) && config.ingestion_window.outside === 'dead_letter'
      ? { ms: config.ingestion_window.window, now }
      : undefined;

  async function prepare(traces: Traces): Promise<Payload> {
    const payload = await preparePayload(traces, {
      projectName: config.project_name,
      adjust: (reason) => metrics.adjusted(reason),
      store,
      explicitIds,
      recentTraceRows,
      window,
    });
    if (payload.refused.length > 0) {
      for (const kind of ['span', 'trace'] as const) {
        metrics.deadLettered(kind, payload.refused.filter((r) => r.kind === kind).length);
      }
      await deadLetter.write(payload.refused);
    }
    return payload;
  }
  const sender = mapSender<Traces, Payload>(chain, prepare);
  const never = new AbortController().signal;

  async function push(traces: Traces, signal: AbortSignal) {
    if (spanCount(traces) === 0) return;
    const payload = await prepare(traces);
    const pending =
      payload.spans.some((s) => !s.done) ||
      payload.traces.some((t) => !t.done) ||
      payload.updates.some((u) => !u.done);
    if (pending) await chain.send(payload, signal);
    recentTraces.record(payload);
    return { failedSpans: payload.deadLetteredSpans };
  }

  async function start(host: Host) {
    auth.attach(host);
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
    await chain.start(host);
  }

  async function stopDelivery() {
    await chain.shutdown();
    await http.close();
    await deadLetter.flush();
  }

  if (!config.sending_queue.enabled) {
    const exporter = defineExporter(settings, {
      push: (traces) => push(traces, never),
      start,
      shutdown: stopDelivery,
    });
    return { ...exporter, sender };
  }

  /** A batch the queue gave up on: every item written to the dead-letter file with the reason. */
  async function deadLetterBatch(traces: Traces, reason: string) {
    const payload = await prepare(traces);
    const spans = payload.spans.map((s) => ({ kind: 'span' as const, reason, item: s.opik }));
    const rows = payload.traces.filter((t) => !t.placeholder);
    const updates = payload.updates.map((u) => ({
      kind: `${u.entity}_update` as const,
      reason,
      item: u.body,
    }));
    metrics.deadLettered(
      'span',
      spans.length + payload.updates.filter((u) => u.entity === 'span').length,
    );
    metrics.deadLettered(
      'trace',
      rows.length + payload.updates.filter((u) => u.entity === 'trace').length,
    );
    await deadLetter.write([
      ...spans,
      ...rows.map((t) => ({ kind: 'trace' as const, reason, item: t.opik })),
      ...updates,
    ]);
  }

  const counted = countedPush(settings);
  const queue = createSendingQueue({
    settings,
    config: config.sending_queue,
    openStore(host) {
      const storageId = config.sending_queue.storage;
      if (storageId === undefined) return new MemoryQueueStore();
      const storage = host.getExtension(storageId);
      if (!isStorage(storage)) {
        throw new Error(
          `sending_queue.storage names "${storageId}", which is not a started file_storage extension`,
        );
      }
      const db = storage.database('exporter', settings.id);
      // The trace memory lives beside the queue, so a restart does not split a trace.
      if (!deps.traceTimestamps)
        store = sqliteTraceTimestampStore(db, { ttlMs: config.trace_id_memory.ttl, now });
      return new SqliteQueueStore(db);
    },
    deliver: (traces, signal) => counted(traces, () => push(traces, signal)),
    deadLetter: deadLetterBatch,
  });
  let stopped: Promise<void> | undefined;
  return {
    sender,
    async start(host) {
      await start(host);
      await queue.start(host);
    },
    // Queue first: it stops taking data and drains (memory) or keeps (disk) what it holds while
    // the delivery chain is still up; then the chain and its connections close.
    shutdown() {
      stopped ??= (async () => {
        await queue.shutdown();
        await stopDelivery();
      })();
      return stopped;
    },
    async consume(traces) {
      if (spanCount(traces) === 0) return;
      await queue.enqueue(await stampIds(traces, store, explicitIds));
    },
  };
}
