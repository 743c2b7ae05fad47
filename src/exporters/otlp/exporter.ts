import type { Component, Settings, TracesConsumer } from '../../component/types.js';
import { PermanentError } from '../../errors/errors.js';
import { policyFromConfig } from '../../exporterhelper/backoff.js';
import { buildChain } from '../../exporterhelper/chain.js';
import { senderOf } from '../../exporterhelper/sender.js';
import { decodeTracesResponse, encodeTracesRequest } from '../../otlp/proto-codec.js';
import type { PartialSuccess } from '../../otlp/replies.js';
import type { Traces } from '../../pdata/traces.js';
import type { OtlpGrpcConfig } from './config.js';
import { TraceServiceClient } from './grpc-client.js';
import { PartialRejections } from './partial-success.js';
import { queuedOtlpExporter } from './queued-exporter.js';
import { Reloading } from './reloading.js';
import { userAgent } from './user-agent.js';

/** The `otlp` exporter: OTLP/gRPC `TraceService/Export`, through the exporterhelper chain. */
export function createOtlpGrpcExporter(
  settings: Settings,
  config: OtlpGrpcConfig,
): Component & TracesConsumer {
  const client = new Reloading(
    () => new TraceServiceClient(config, userAgent()),
    config.tls,
    (err) =>
      settings.logger.warn(
        { error: String(err) },
        'cannot reload the TLS files; kept the old ones',
      ),
  );
  const partial = new PartialRejections(settings.logger);

  async function exportOnce(traces: Traces, signal: AbortSignal): Promise<void> {
    const c = client.get();
    const reply = await c.export(encodeTracesRequest(traces), signal);
    let answer: PartialSuccess | undefined;
    try {
      answer = decodeTracesResponse(reply);
    } catch (err) {
      // The server took the request; retrying it would send the spans twice.
      throw new PermanentError(
        'ERR_EXPORT_REJECTED',
        `${c.target} answered with a reply that is not an ExportTraceServiceResponse`,
        { cause: err },
      );
    }
    partial.note(traces, answer);
  }

  const chain = buildChain<Traces>({
    primary: senderOf(exportOnce, {
      async start() {
        client.get();
      },
      shutdown: () => client.close(),
    }),
    timeoutMs: config.timeout,
    retry: {
      enabled: config.retry_on_failure.enabled,
      ...policyFromConfig(config.retry_on_failure),
    },
    logger: settings.logger,
  });
  return queuedOtlpExporter(settings, config.sending_queue, chain, partial);
}
