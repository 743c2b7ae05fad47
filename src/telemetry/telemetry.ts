import { createRequire } from 'node:module';
import type * as Prometheus from 'prom-client';

// The four classes used here come from their own files: prom-client's index also loads its
// default process metrics (and with them @opentelemetry/api), its cluster aggregator (Node's
// cluster module) and its Pushgateway, 80-odd modules and about 1.5 MiB of idle RSS.
const require = createRequire(import.meta.url);
const Counter: typeof Prometheus.Counter = require('prom-client/lib/counter');
const Gauge: typeof Prometheus.Gauge = require('prom-client/lib/gauge');
const Histogram: typeof Prometheus.Histogram = require('prom-client/lib/histogram');
const Registry: typeof Prometheus.Registry = require('prom-client/lib/registry');
type Counter<L extends string> = Prometheus.Counter<L>;
type Gauge<L extends string> = Prometheus.Gauge<L>;
type Histogram<L extends string> = Prometheus.Histogram<L>;
type Registry = Prometheus.Registry;

/**
 * Self-telemetry: one Prometheus registry per running collector, with the Collector's metric
 * names (`otelcol_*`, counters get Prometheus' `_total` suffix as the Collector's exporter
 * writes them) so existing dashboards keep working. Components add their own metrics through
 * `counter()` / `gauge()` / `histogram()`, which return the existing metric on a second call.
 */
export interface Telemetry {
  readonly registry: Registry;
  readonly receiverAcceptedSpans: Counter<'receiver' | 'transport'>;
  readonly receiverRefusedSpans: Counter<'receiver' | 'transport'>;
  readonly receiverFailedSpans: Counter<'receiver' | 'transport'>;
  readonly exporterSentSpans: Counter<'exporter'>;
  readonly exporterSendFailedSpans: Counter<'exporter'>;
  readonly exporterEnqueueFailedSpans: Counter<'exporter'>;
  readonly processorIncomingItems: Counter<'processor' | 'pipeline'>;
  readonly processorOutgoingItems: Counter<'processor' | 'pipeline'>;
  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L>;
  /** `collect`, when given, runs on each scrape to refresh the gauge's values. */
  gauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    collect?: (gauge: Gauge<L>) => void,
  ): Gauge<L>;
  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: number[],
  ): Histogram<L>;
}

export function createTelemetry(): Telemetry {
  const registry = new Registry();
  const metrics = new Map<string, Counter<string> | Gauge<string> | Histogram<string>>();

  function getOrCreate<M extends Counter<string> | Gauge<string> | Histogram<string>>(
    name: string,
    make: () => M,
  ): M {
    const existing = metrics.get(name);
    if (existing) return existing as M;
    const created = make();
    metrics.set(name, created);
    return created;
  }

  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    getOrCreate(
      name,
      () => new Counter({ name, help, labelNames, registers: [registry] }) as Counter<string>,
    ) as Counter<L>;
  // Several components may refresh one gauge (each its own labels): every callback runs on scrape.
  const collectors = new Map<string, Array<(g: Gauge<string>) => void>>();
  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    collect?: (gauge: Gauge<L>) => void,
  ) => {
    if (collect) {
      const list = collectors.get(name) ?? [];
      list.push(collect as (g: Gauge<string>) => void);
      collectors.set(name, list);
    }
    return getOrCreate(
      name,
      () =>
        new Gauge({
          name,
          help,
          labelNames,
          registers: [registry],
          collect(this: Gauge<string>) {
            for (const c of collectors.get(name) ?? []) c(this);
          },
        }) as Gauge<string>,
    ) as Gauge<L>;
  };
  const histogram = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: number[],
  ) =>
    getOrCreate(
      name,
      () =>
        new Histogram({
          name,
          help,
          labelNames,
          buckets,
          registers: [registry],
        }) as Histogram<string>,
    ) as Histogram<L>;

  registerProcessMetrics(registry);

  return {
    registry,
    counter,
    gauge,
    histogram,
    receiverAcceptedSpans: counter(
      'otelcol_receiver_accepted_spans_total',
      'Spans successfully pushed into the pipeline.',
      ['receiver', 'transport'],
    ),
    receiverRefusedSpans: counter(
      'otelcol_receiver_refused_spans_total',
      'Spans that could not be pushed into the pipeline (the client was told to retry or that they failed).',
      ['receiver', 'transport'],
    ),
    receiverFailedSpans: counter(
      'otelcol_receiver_failed_spans_total',
      'Spans the receiver could not decode or validate.',
      ['receiver', 'transport'],
    ),
    exporterSentSpans: counter(
      'otelcol_exporter_sent_spans_total',
      'Spans successfully sent to the destination.',
      ['exporter'],
    ),
    exporterSendFailedSpans: counter(
      'otelcol_exporter_send_failed_spans_total',
      'Spans in failed attempts to send to the destination (retries included).',
      ['exporter'],
    ),
    exporterEnqueueFailedSpans: counter(
      'otelcol_exporter_enqueue_failed_spans_total',
      'Spans that could not be added to the sending queue.',
      ['exporter'],
    ),
    processorIncomingItems: counter(
      'otelcol_processor_incoming_items_total',
      'Spans passed to the processor.',
      ['processor', 'pipeline'],
    ),
    processorOutgoingItems: counter(
      'otelcol_processor_outgoing_items_total',
      'Spans emitted by the processor.',
      ['processor', 'pipeline'],
    ),
  };
}

function registerProcessMetrics(registry: Registry): void {
  const startedAt = Date.now();
  new Gauge({
    name: 'otelcol_process_memory_rss',
    help: 'Resident set size of the collector process, in bytes.',
    registers: [registry],
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  new Gauge({
    name: 'otelcol_process_runtime_heap_alloc_bytes',
    help: 'V8 heap in use, in bytes.',
    registers: [registry],
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
  new Counter({
    name: 'otelcol_process_cpu_seconds_total',
    help: 'Total CPU time (user and system) used by the process, in seconds.',
    registers: [registry],
    collect() {
      const used = process.cpuUsage();
      this.reset();
      this.inc((used.user + used.system) / 1e6);
    },
  });
  new Counter({
    name: 'otelcol_process_uptime_seconds_total',
    help: 'Time since the collector started, in seconds.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc((Date.now() - startedAt) / 1000);
    },
  });
}
