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
  // All interfaces, unlike the Collector's localhost: probes reach a sidecar on the pod's IP.
  return { endpoint: '0.0.0.0:13133', path: '/' };
}
