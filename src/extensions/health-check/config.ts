import { z } from 'zod';
import { bool, duration, endpoint, str } from '../../config/schema.js';

/** The `health_check` extension's settings (the Collector's names; `component_health` from v2). */
export const healthCheckConfigSchema = z.strictObject({
  /** `host:port` the status endpoint listens on. */
  endpoint: endpoint(),
  /** URL path of the status endpoint. */
  path: str().refine((p) => p.startsWith('/'), {
    error: (i) => `expected a URL path starting with "/", got ${JSON.stringify(i.input)}`,
  }),
  /** How component errors count, as in the Collector's health check v2. */
  component_health: z.strictObject({
    /** A component that has been failing and retrying longer than `recovery_duration` is `degraded`. */
    include_recoverable_errors: bool(),
    recovery_duration: duration(),
  }),
});

export type HealthCheckConfig = z.infer<typeof healthCheckConfigSchema>;

export function createDefaultConfig(): Record<string, unknown> {
  // Loopback, as the Collector's `localhost:13133` (127.0.0.1: `localhost` may resolve to ::1
  // alone, where a probe to 127.0.0.1 would miss it). Probes on a pod's IP set 0.0.0.0:13133.
  // Recoverable errors count after 1m (the Collector: off, 5m): an export that has failed for a
  // minute is news worth showing.
  return {
    endpoint: '127.0.0.1:13133',
    path: '/',
    component_health: { include_recoverable_errors: true, recovery_duration: '1m' },
  };
}
