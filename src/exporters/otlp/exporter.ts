import type { Component, Settings, TracesConsumer } from '../../component/types.js';
import { PermanentError } from '../../errors/errors.js';
import { decodeTracesResponse, encodeTracesRequest } from '../../otlp/proto-codec.js';
import { ClientAuth } from './client-auth.js';
import { type OtlpGrpcConfig, usesTls } from './config.js';
import type { TraceServiceClient } from './grpc-client.js';
import { otlpExporter } from './otlp-exporter.js';
import { Reloading } from './reloading.js';
import { userAgent } from './user-agent.js';

/** The `otlp` exporter: OTLP/gRPC `TraceService/Export`, through the exporterhelper chain. */
export function createOtlpGrpcExporter(
  settings: Settings,
  config: OtlpGrpcConfig,
): Component & TracesConsumer {
  const auth = new ClientAuth(config.auth);
  // grpc-js is loaded when an `otlp` exporter starts, not by every collector.
  let Client: typeof TraceServiceClient | undefined;
  const client = new Reloading(
    () => new Client!(config, userAgent(), () => auth.headers()),
    config.tls,
    settings.logger,
  );
  return otlpExporter(settings, config, {
    async exportOnce(traces, signal) {
      const c = client.get();
      const reply = await c.export(encodeTracesRequest(traces), signal);
      try {
        return decodeTracesResponse(reply);
      } catch (err) {
        // The server took the request; retrying it would send the spans twice.
        throw new PermanentError(
          'ERR_EXPORT_REJECTED',
          `${c.target} answered with a reply that is not an ExportTraceServiceResponse`,
          { cause: err },
        );
      }
    },
    async open(host) {
      Client ??= (await import('./grpc-client.js')).TraceServiceClient;
      client.get();
      auth.open(host, !usesTls(config), settings.logger);
    },
    close: () => client.close(),
  });
}
