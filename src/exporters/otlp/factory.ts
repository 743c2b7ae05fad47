import { defineExporterFactory } from '../../component/types.js';
import {
  createDefaultConfig,
  type OtlpGrpcConfig,
  otlpGrpcConfigSchema,
  validate,
} from './config.js';
import { createOtlpGrpcExporter } from './exporter.js';

/**
 * `exporters: otlp:` — OTLP over gRPC to another collector (a gateway) or any OTLP backend. The
 * Collector renamed it `otlp_grpc` (v0.144.0); both names are registered (see components.ts).
 */
export const otlpGrpcExporterFactory = defineExporterFactory<OtlpGrpcConfig>({
  type: 'otlp',
  stability: 'beta',
  configSchema: otlpGrpcConfigSchema,
  createDefaultConfig,
  validate,
  extensions: (c) => [
    ...(c.sending_queue.enabled && c.sending_queue.storage
      ? [{ key: 'sending_queue::storage', id: c.sending_queue.storage }]
      : []),
    ...(c.auth ? [{ key: 'auth::authenticator', id: c.auth.authenticator }] : []),
  ],
  create: createOtlpGrpcExporter,
});

/** Both names: `otlp`, and `otlp_grpc` as the Collector calls it since v0.144.0. */
export const otlpGrpcExporterFactories = [
  otlpGrpcExporterFactory,
  { ...otlpGrpcExporterFactory, type: 'otlp_grpc' },
] as const;
