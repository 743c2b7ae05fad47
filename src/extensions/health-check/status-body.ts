import type { CollectorStatus, ComponentHealth, ComponentState } from '../../component/types.js';
import { goDuration, roughDuration } from '../../config/go-duration.js';

/** How long-lasting recoverable errors count (`component_health`). */
export interface RecoveryPolicy {
  readonly includeRecoverableErrors: boolean;
  readonly recoveryMs: number;
}

/** One component as the status endpoint shows it. */
export interface ComponentEntry {
  readonly id: string;
  readonly kind: ComponentHealth['kind'];
  readonly state: ComponentState;
  readonly reason?: string;
  /** When the component entered its state (RFC 3339), as the Collector's `status_time`. */
  readonly since: string;
}

/** What the status endpoint answers. */
export interface HealthReply {
  readonly httpStatus: 200 | 503;
  readonly body: {
    readonly status: 'Server available' | 'Server not available';
    /** When the collector became ready (RFC 3339), null before it ever was. */
    readonly upSince: string | null;
    /** Time since then as a Go duration (`1h2m3.5s`), as the Collector writes it; '' before. */
    readonly uptime: string;
    readonly components: readonly ComponentEntry[];
  };
}

/**
 * Available (200) when every pipeline has started, shutdown has not begun, and no component
 * reports `failed`. A `degraded` component (an exporter whose backend answers 401, or one whose
 * deliveries have failed longer than the recovery duration) keeps the collector available, since
 * a restart would not help, but is listed with its reason.
 */
export function healthReply(
  status: CollectorStatus,
  now: Date,
  policy: RecoveryPolicy = { includeRecoverableErrors: true, recoveryMs: 60_000 },
): HealthReply {
  const available = status.ready && !status.components.some((c) => c.state === 'failed');
  const started = status.startedAt;
  return {
    httpStatus: available ? 200 : 503,
    body: {
      status: available ? 'Server available' : 'Server not available',
      upSince: started ? started.toISOString() : null,
      uptime: started ? goDuration(now.getTime() - started.getTime()) : '',
      components: status.components.map((c) => componentEntry(c, now, policy)),
    },
  };
}

/**
 * A component's entry, with a recoverable error that outlasted the recovery duration shown as
 * `degraded`, its reason saying for how long (the Collector's health check v2 turns it unhealthy).
 */
export function componentEntry(
  c: ComponentHealth,
  now: Date,
  policy: RecoveryPolicy,
): ComponentEntry {
  const since = c.since.toISOString();
  const lasted = now.getTime() - c.since.getTime();
  const entry = { id: c.id, kind: c.kind, state: c.state, since };
  if (
    c.state === 'recoverable_error' &&
    policy.includeRecoverableErrors &&
    lasted >= policy.recoveryMs
  ) {
    const reason = `failing for ${roughDuration(lasted)}${c.reason ? `: ${c.reason}` : ''}`;
    return { ...entry, state: 'degraded', reason };
  }
  return c.reason === undefined ? entry : { ...entry, reason: c.reason };
}
