import { defineExporterFactory } from '../../component/types.js';
import { encodeTracesRequest } from '../../otlp/proto-codec.js';
import {
  createDefaultOpikConfig,
  type OpikConfig,
  opikConfigSchema,
  validateOpikConfig,
} from './config.js';
import { createOpikExporter } from './exporter.js';

/** `exporters: opik:` — OTLP to Opik with a REST fallback and ids that make every retry safe. */
export const opikExporterFactory = defineExporterFactory<OpikConfig>({
  type: 'opik',
  stability: 'alpha',
  configSchema: opikConfigSchema,
  createDefaultConfig: (user) => createDefaultOpikConfig(user),
  validate: validateOpikConfig,
  extensions: (c) => [
    ...(c.sending_queue.enabled && c.sending_queue.storage
      ? [{ key: 'sending_queue::storage', id: c.sending_queue.storage }]
      : []),
    ...(c.trace_id_memory.storage
      ? [{ key: 'trace_id_memory::storage', id: c.trace_id_memory.storage }]
      : []),
  ],
  create: (settings, config) =>
    createOpikExporter(settings, config, { encode: encodeTracesRequest }),
});
