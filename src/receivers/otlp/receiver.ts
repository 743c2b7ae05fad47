import type { Component, Settings, TracesConsumer } from '../../component/types.js';
import { receiverReport } from '../../receiverhelper/obsreport.js';
import { type HttpListener, listenHttp } from '../../server/listen.js';
import type { OtlpReceiverConfig } from './config.js';
import type { GrpcListener } from './grpc-server.js';
import { createTracesHttpHandler } from './http-handler.js';

export interface OtlpReceiver extends Component {
  /** Bound `host:port` of each started protocol (the real port when the config said 0). */
  readonly addresses: { http?: string; grpc?: string };
}

/** The `otlp` receiver: OTLP/HTTP and OTLP/gRPC traces into the pipeline. */
export function createOtlpReceiver(
  settings: Settings,
  config: OtlpReceiverConfig,
  next: TracesConsumer,
): OtlpReceiver {
  let http: HttpListener | undefined;
  let grpc: GrpcListener | undefined;
  let accepting = false;
  let stopped: Promise<void> | undefined;
  return {
    get addresses() {
      return { http: http?.address, grpc: grpc?.address };
    },
    async start() {
      accepting = true;
      const { http: httpConfig, grpc: grpcConfig } = config.protocols;
      if (httpConfig) {
        http = await listenHttp(
          httpConfig.endpoint,
          createTracesHttpHandler({
            path: httpConfig.traces_url_path,
            difyAliyun: httpConfig.dify_aliyun_compat,
            maxBodySize: httpConfig.max_request_body_size,
            next,
            report: receiverReport(settings, 'http'),
            accepting: () => accepting,
          }),
        );
        settings.logger.info({ endpoint: http.address }, 'OTLP/HTTP receiver listening');
      }
      if (grpcConfig) {
        try {
          // grpc-js is loaded only by a receiver that serves gRPC: it costs memory at idle.
          const { startGrpcReceiver } = await import('./grpc-server.js');
          grpc = await startGrpcReceiver({
            endpoint: grpcConfig.endpoint,
            maxRecvMsgSizeMib: grpcConfig.max_recv_msg_size_mib,
            next,
            report: receiverReport(settings, 'grpc'),
            accepting: () => accepting,
          });
        } catch (err) {
          await http?.close();
          throw err;
        }
        settings.logger.info({ endpoint: grpc.address }, 'OTLP/gRPC receiver listening');
      }
    },
    shutdown() {
      stopped ??= (async () => {
        accepting = false;
        await Promise.all([http?.close(), grpc?.close()]);
      })();
      return stopped;
    },
  };
}
