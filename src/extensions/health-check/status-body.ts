import type { CollectorStatus, ComponentHealth } from '../../component/types.js';

/** What the status endpoint answers. */
export interface HealthReply {
  readonly httpStatus: 200 | 503;
  readonly body: {
    readonly status: 'Server available' | 'Server not available';
    /** When the collector became ready (RFC 3339), null before it ever was. */
    readonly upSince: string | null;
    /** Time since then as a Go duration (`1h2m3.5s`), as the Collector writes it; '' before. */
    readonly uptime: string;
    readonly components: ReadonlyArray<Pick<ComponentHealth, 'id' | 'kind' | 'state' | 'reason'>>;
  };
}

/**
 * Available (200) when every pipeline has started, shutdown has not begun, and no component
 * reports `failed`. A `degraded` component (an exporter whose backend answers 401, say) keeps
 * the collector available, since a restart would not help, but is listed with its reason.
 */
export function healthReply(status: CollectorStatus, now: Date): HealthReply {
  const available = status.ready && !status.components.some((c) => c.state === 'failed');
  const started = status.startedAt;
  return {
    httpStatus: available ? 200 : 503,
    body: {
      status: available ? 'Server available' : 'Server not available',
      upSince: started ? started.toISOString() : null,
      uptime: started ? goDuration(now.getTime() - started.getTime()) : '',
      components: status.components.map(({ id, kind, state, reason }) =>
        reason === undefined ? { id, kind, state } : { id, kind, state, reason },
      ),
    },
  };
}

/** Milliseconds as Go prints a `time.Duration`: `750ms`, `42.5s`, `3m0.25s`, `2h0m5s`. */
export function goDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  if (total < 1000) return `${total}ms`;
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const s = (total % 60_000) / 1000;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
