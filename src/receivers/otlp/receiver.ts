import { serverAuthenticator } from '../../component/auth.js';
import type { Component, Settings, TracesConsumer } from '../../component/types.js';
import { decodeLimits } from '../../receiverhelper/limits.js';
import { receiverReport } from '../../receiverhelper/obsreport.js';
import { type HttpListener, listenHttp } from '../../server/listen.js';
import { listenOptions } from '../../server/server-settings.js';
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
  const limits = decodeLimits(config.limits);
  return {
    get addresses() {
      return { http: http?.address, grpc: grpc?.address };
    },
    async start(host) {
      accepting = true;
      const { http: httpConfig, grpc: grpcConfig } = config.protocols;
      if (httpConfig) {
        http = await listenHttp(
          httpConfig.endpoint,
          createTracesHttpHandler({
            path: httpConfig.traces_url_path,
            difyAliyun: httpConfig.dify_aliyun_compat,
            maxBodySize: httpConfig.max_request_body_size,
            limits,
            auth: httpConfig.auth && serverAuthenticator(host, httpConfig.auth),
            next,
            report: receiverReport(settings, 'http'),
            accepting: () => accepting,
          }),
          listenOptions(httpConfig, settings.logger),
        );
        settings.logger.info(
          { endpoint: http.address, tls: httpConfig.tls !== undefined },
          'OTLP/HTTP receiver listening',
        );
      }
      if (grpcConfig) {
        try {
          // grpc-js is loaded only by a receiver that serves gRPC: it costs memory at idle.
          const { startGrpcReceiver } = await import('./grpc-server.js');
          grpc = await startGrpcReceiver({
            endpoint: grpcConfig.endpoint,
            maxRecvMsgSizeMib: grpcConfig.max_recv_msg_size_mib,
            tls: grpcConfig.tls,
            auth: grpcConfig.auth && serverAuthenticator(host, grpcConfig.auth),
            readTimeoutMs: grpcConfig.read_timeout,
            maxConnections: grpcConfig.max_connections,
            limits,
            next,
            report: receiverReport(settings, 'grpc'),
            accepting: () => accepting,
            logger: settings.logger,
          });
        } catch (err) {
          await http?.close();
          throw err;
        }
        settings.logger.info(
          { endpoint: grpc.address, tls: grpcConfig.tls !== undefined },
          'OTLP/gRPC receiver listening',
        );
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
