import { defineExtension } from '../../component/types.js';
import { createDefaultConfig, healthCheckConfigSchema } from './config.js';
import { createHealthCheck } from './health-check.js';

/** `health_check`: an HTTP endpoint for liveness and readiness probes. */
export const healthCheckExtensionFactory = defineExtension({
  type: 'health_check',
  stability: 'beta',
  configSchema: healthCheckConfigSchema,
  createDefaultConfig,
  listeners: (config) => [{ key: 'endpoint', endpoint: config.endpoint }],
  create: createHealthCheck,
});
