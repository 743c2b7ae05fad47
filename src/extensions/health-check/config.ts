import { z } from 'zod';
import { endpoint, str } from '../../config/schema.js';

/** The `health_check` extension's settings (the Collector's names). */
export const healthCheckConfigSchema = z.strictObject({
  /** `host:port` the status endpoint listens on. */
  endpoint: endpoint(),
  /** URL path of the status endpoint. */
  path: str().refine((p) => p.startsWith('/'), {
    error: (i) => `expected a URL path starting with "/", got ${JSON.stringify(i.input)}`,
  }),
});

export type HealthCheckConfig = z.infer<typeof healthCheckConfigSchema>;

export function createDefaultConfig(): Record<string, unknown> {
  // Loopback, as the Collector's `localhost:13133` (127.0.0.1: `localhost` may resolve to ::1
  // alone, where a probe to 127.0.0.1 would miss it). Probes on a pod's IP set 0.0.0.0:13133.
  return { endpoint: '127.0.0.1:13133', path: '/' };
}
