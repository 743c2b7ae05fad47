import type { ComponentDetails } from '../../component/details.js';
import type {
  CollectorStatus,
  ComponentHealth,
  ComponentState,
  Kind,
} from '../../component/types.js';
import { roughDuration } from '../../config/go-duration.js';
import type { RateBook } from './rates.js';

/** Spans through a component: per second (last ten seconds), in all, and a minute of history. */
export interface Flow {
  readonly perSecond: number;
  readonly total: number;
  readonly history: readonly number[];
}

/** One box of the pipeline picture. */
export interface NodeView {
  readonly kind: Kind;
  readonly id: string;
  readonly state: ComponentState;
  readonly reason?: string;
  readonly since?: string;
  /** Received (receiver), passed in (processor), sent (exporter). */
  readonly flow: Flow;
  /** Refused to clients (receiver), dropped (processor), failed attempts' spans (exporter). */
  readonly trouble: { readonly label: string; readonly perSecond: number; readonly total: number };
}

export interface PipelineView {
  readonly id: string;
  readonly receivers: readonly NodeView[];
  readonly processors: readonly NodeView[];
  readonly exporters: readonly NodeView[];
}

/** An exporter with everything it published: path, queue, deliveries, errors, recent traces. */
export interface ExporterView extends ComponentDetails {
  readonly id: string;
  readonly state: ComponentState;
  readonly reason?: string;
  readonly since?: string;
}

/** What `GET /api/status` answers and the page draws. */
export interface StatusSnapshot {
  readonly service: 'dify-opik-collector';
  readonly generatedAt: string;
  readonly collector: {
    readonly ready: boolean;
    readonly startedAt: string | null;
    readonly uptime: string;
  };
  readonly pipelines: readonly PipelineView[];
  readonly exporters: readonly ExporterView[];
  readonly extensions: ReadonlyArray<Pick<ExporterView, 'id' | 'state' | 'reason' | 'since'>>;
}

/** The collector as the status page shows it, from the host's status board and the rates. */
export function buildSnapshot(status: CollectorStatus, rates: RateBook, now: Date): StatusSnapshot {
  const health = (kind: Kind, id: string) =>
    status.components.find((c) => c.kind === kind && c.id === id);
  const flow = (series: string): Flow => ({
    perSecond: round(rates.rate(series)),
    total: rates.total(series),
    history: rates.history(series).map(round),
  });
  const node = (kind: Kind, id: string, main: string, trouble: NodeView['trouble']): NodeView => ({
    kind,
    id,
    ...stateOf(health(kind, id)),
    flow: flow(main),
    trouble,
  });
  const counted = (label: string, series: string) => ({
    label,
    perSecond: round(rates.rate(series)),
    total: rates.total(series),
  });

  const pipelines = status.pipelines.map((p) => ({
    id: p.id,
    receivers: p.receivers.map((id) =>
      node('receiver', id, `receiver:${id}:accepted`, counted('refused', `receiver:${id}:refused`)),
    ),
    processors: p.processors.map((id) => {
      const key = `processor:${p.id}:${id}`;
      const dropped = Math.max(0, rates.total(`${key}:in`) - rates.total(`${key}:out`));
      const droppedRate = Math.max(0, rates.rate(`${key}:in`) - rates.rate(`${key}:out`));
      return node('processor', id, `${key}:in`, {
        label: 'dropped',
        perSecond: round(droppedRate),
        total: dropped,
      });
    }),
    exporters: p.exporters.map((id) =>
      node('exporter', id, `exporter:${id}:sent`, counted('failed', `exporter:${id}:failed`)),
    ),
  }));
  const ofKind = (kind: Kind) => status.components.filter((c) => c.kind === kind);
  const started = status.startedAt;
  return {
    service: 'dify-opik-collector',
    generatedAt: now.toISOString(),
    collector: {
      ready: status.ready,
      startedAt: started ? started.toISOString() : null,
      uptime: started ? roughDuration(now.getTime() - started.getTime()) : '',
    },
    pipelines,
    exporters: ofKind('exporter').map((c) => ({ id: c.id, ...stateOf(c), ...c.details })),
    extensions: ofKind('extension').map((c) => ({ id: c.id, ...stateOf(c) })),
  };
}

function stateOf(c: ComponentHealth | undefined) {
  if (!c) return { state: 'starting' as const };
  return {
    state: c.state,
    since: c.since.toISOString(),
    ...(c.reason === undefined ? {} : { reason: c.reason }),
  };
}

/** Rates to two decimals: enough for a page, short in JSON. */
function round(n: number): number {
  return Math.round(n * 100) / 100;
}
