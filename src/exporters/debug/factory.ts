import { defineExporterFactory } from '../../component/types.js';
import { createDefaultConfig, debugConfigSchema } from './config.js';
import { createDebugExporter } from './debug-exporter.js';

/** `debug`: writes a readable summary (or every field) of each batch to stderr. */
export const debugExporterFactory = defineExporterFactory({
  type: 'debug',
  stability: 'beta',
  configSchema: debugConfigSchema,
  createDefaultConfig,
  create: (settings, config) => createDebugExporter(settings, config),
});
