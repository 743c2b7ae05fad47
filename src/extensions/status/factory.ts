import { defineExtension } from '../../component/types.js';
import { createDefaultConfig, type StatusConfig, statusConfigSchema } from './config.js';
import { createStatusExtension } from './status-extension.js';

/** `status`: a live page of the pipeline at work, and the same data as JSON (zpages' spirit). */
export const statusExtensionFactory = defineExtension<StatusConfig>({
  type: 'status',
  stability: 'alpha',
  configSchema: statusConfigSchema,
  createDefaultConfig,
  listeners: (config) => [{ key: 'endpoint', endpoint: config.endpoint }],
  create: createStatusExtension,
});
