import { defineExporterFactory } from '../../component/types.js';
import {
  createDefaultConfig,
  type OtlpHttpConfig,
  otlpHttpConfigSchema,
  validate,
} from './config.js';
import { createOtlpHttpExporter } from './exporter.js';

/**
 * `exporters: otlphttp:` — OTLP over HTTP to another collector (a gateway) or any OTLP backend.
 * The Collector renamed it `otlp_http` (v0.144.0); both names are registered (see components.ts).
 */
export const otlpHttpExporterFactory = defineExporterFactory<OtlpHttpConfig>({
  type: 'otlphttp',
  stability: 'beta',
  configSchema: otlpHttpConfigSchema,
  createDefaultConfig,
  validate,
  extensions: (c) => [
    ...(c.sending_queue.enabled && c.sending_queue.storage
      ? [{ key: 'sending_queue::storage', id: c.sending_queue.storage }]
      : []),
    ...(c.auth ? [{ key: 'auth::authenticator', id: c.auth.authenticator }] : []),
  ],
  create: (settings, config) => createOtlpHttpExporter(settings, config),
});

/** Both names: `otlphttp`, and `otlp_http` as the Collector calls it since v0.144.0. */
export const otlpHttpExporterFactories = [
  otlpHttpExporterFactory,
  { ...otlpHttpExporterFactory, type: 'otlp_http' },
] as const;
