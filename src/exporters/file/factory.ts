import { defineExporterFactory } from '../../component/types.js';
import { createDefaultConfig, fileConfigSchema, validate } from './config.js';
import { createFileExporter } from './file-exporter.js';

/** `file`: OTLP/JSON lines to a file, with optional size/age rotation. */
export const fileExporterFactory = defineExporterFactory({
  type: 'file',
  stability: 'alpha',
  configSchema: fileConfigSchema,
  createDefaultConfig,
  validate,
  create: (settings, config) => createFileExporter(settings, config),
});
