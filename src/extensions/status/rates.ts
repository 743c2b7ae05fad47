import type { Counter } from 'prom-client';
import type { Telemetry } from '../../telemetry/telemetry.js';

/** Seconds of history kept per series (the page draws them), and the window a rate spans. */
const HISTORY = 60;
const RATE_WINDOW = 10;

interface Sample {
  readonly at: number;
  readonly values: ReadonlyMap<string, number>;
}

/** Where each counted flow is read: the Collector's `otelcol_*` counters, per component. */
const SERIES: ReadonlyArray<{
  readonly metric: (t: Telemetry) => Counter<string>;
  readonly key: (labels: Partial<Record<string, string | number>>) => string;
}> = [
  { metric: (t) => t.receiverAcceptedSpans, key: (l) => `receiver:${l.receiver}:accepted` },
  { metric: (t) => t.receiverRefusedSpans, key: (l) => `receiver:${l.receiver}:refused` },
  {
    metric: (t) => t.processorIncomingItems,
    key: (l) => `processor:${l.pipeline}:${l.processor}:in`,
  },
  {
    metric: (t) => t.processorOutgoingItems,
    key: (l) => `processor:${l.pipeline}:${l.processor}:out`,
  },
  { metric: (t) => t.exporterSentSpans, key: (l) => `exporter:${l.exporter}:sent` },
  { metric: (t) => t.exporterSendFailedSpans, key: (l) => `exporter:${l.exporter}:failed` },
];

/** Rates, totals and a minute of per-second history for each series, read from samples. */
export interface RateBook {
  total(series: string): number;
  /** Per second, over the last ten seconds. */
  rate(series: string): number;
  /** Per-second rates, oldest first, one per sample interval. */
  history(series: string): number[];
}

/**
 * Samples the span counters once a second, so that the page can show live rates without
 * anyone scraping Prometheus. Counters of a receiver with several transports are added up.
 */
export class RateSampler implements RateBook {
  private samples: Sample[] = [];

  constructor(
    private readonly telemetry: Telemetry,
    private readonly now: () => number = Date.now,
  ) {}

  async sample(): Promise<void> {
    const values = new Map<string, number>();
    for (const s of SERIES) {
      const { values: points } = await s.metric(this.telemetry).get();
      for (const p of points) {
        const key = s.key(p.labels);
        values.set(key, (values.get(key) ?? 0) + p.value);
      }
    }
    this.samples.push({ at: this.now(), values });
    if (this.samples.length > HISTORY + 1) this.samples.shift();
  }

  total(series: string): number {
    return this.samples.at(-1)?.values.get(series) ?? 0;
  }

  rate(series: string): number {
    const last = this.samples.at(-1);
    const first = this.samples[Math.max(0, this.samples.length - 1 - RATE_WINDOW)];
    if (!last || !first || last.at <= first.at) return 0;
    return perSecond(first, last, series);
  }

  history(series: string): number[] {
    return this.samples.slice(1).map((s, i) => perSecond(this.samples[i]!, s, series));
  }
}

function perSecond(from: Sample, to: Sample, series: string): number {
  const delta = (to.values.get(series) ?? 0) - (from.values.get(series) ?? 0);
  return Math.max(0, (delta * 1000) / (to.at - from.at));
}
