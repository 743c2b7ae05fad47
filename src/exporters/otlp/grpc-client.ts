import { createSecureContext } from 'node:tls';
import type { ServiceError } from '@grpc/grpc-js';
import { ChannelCredentials, type ChannelOptions, Client, Metadata } from '@grpc/grpc-js';
import { clientTlsOptions } from '../../config/tls.js';
import { TRACE_EXPORT_PATH } from '../../otlp/trace-service.js';
import { classifyGrpcFailure } from './classify.js';
import { grpcTarget, type OtlpGrpcConfig, usesTls } from './config.js';

const identity = (b: Buffer) => b;
/** grpc-js's number for gzip in `grpc.default_compression_algorithm`. */
const GZIP = 2;

/**
 * One gRPC channel to an OTLP `TraceService`, built from the exporter's settings: TLS or plain
 * text, gzip, headers as metadata on every call, keepalive, load balancing and authority.
 * Requests and replies travel as bytes; the exporter encodes and decodes them.
 */
export class TraceServiceClient {
  private readonly client: Client;
  private readonly metadata: Metadata;
  readonly target: string;

  constructor(
    private readonly config: OtlpGrpcConfig,
    userAgent: string,
    /** Metadata added to each call (an authenticator's credentials), asked per call. */
    private readonly callHeaders: () => Record<string, string> = () => ({}),
  ) {
    this.target = grpcTarget(config.endpoint)!;
    this.client = new Client(this.target, credentials(config), channelOptions(config, userAgent));
    this.metadata = new Metadata({ waitForReady: config.wait_for_ready });
    for (const [name, value] of Object.entries(config.headers)) {
      // Binary metadata (`-bin`) carries bytes; a config gives text, sent as its UTF-8 bytes.
      if (name.endsWith('-bin')) this.metadata.set(name, Buffer.from(value));
      else this.metadata.set(name, value);
    }
  }

  /** One `Export` call; resolves with the reply bytes, rejects with a classified error. */
  export(request: Uint8Array, signal: AbortSignal): Promise<Buffer> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const deadline =
      this.config.timeout > 0 ? Date.now() + this.config.timeout : Number.POSITIVE_INFINITY;
    return new Promise<Buffer>((resolve, reject) => {
      const onAbort = () => {
        call.cancel();
        reject(signal.reason);
      };
      const call = this.client.makeUnaryRequest<Buffer, Buffer>(
        TRACE_EXPORT_PATH,
        identity,
        identity,
        Buffer.from(request.buffer, request.byteOffset, request.byteLength),
        this.callMetadata(),
        { deadline },
        (err: ServiceError | null, reply?: Buffer) => {
          signal.removeEventListener('abort', onAbort);
          if (signal.aborted) return;
          if (err) reject(classifyGrpcFailure(err, this.target));
          else resolve(reply ?? Buffer.alloc(0));
        },
      );
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  close(): void {
    this.client.close();
  }

  private callMetadata(): Metadata {
    const m = this.metadata.clone();
    for (const [name, value] of Object.entries(this.callHeaders())) m.set(name, value);
    return m;
  }
}

function credentials(config: OtlpGrpcConfig): ChannelCredentials {
  if (!usesTls(config)) return ChannelCredentials.createInsecure();
  const { ca, cert, key, minVersion, maxVersion } = clientTlsOptions(config.tls);
  return ChannelCredentials.createFromSecureContext(
    createSecureContext({ ca, cert, key, minVersion, maxVersion }),
    { rejectUnauthorized: !config.tls.insecure_skip_verify },
  );
}

function channelOptions(config: OtlpGrpcConfig, userAgent: string): ChannelOptions {
  const options: ChannelOptions = {
    'grpc.primary_user_agent': userAgent,
    'grpc.service_config': JSON.stringify({
      loadBalancingConfig: [{ [config.balancer_name]: {} }],
    }),
  };
  if (config.compression === 'gzip') options['grpc.default_compression_algorithm'] = GZIP;
  const serverName = config.tls.server_name_override;
  if (serverName) options['grpc.ssl_target_name_override'] = serverName;
  const authority = config.authority ?? serverName;
  if (authority) options['grpc.default_authority'] = authority;
  const keepalive = config.keepalive;
  if (keepalive) {
    if (keepalive.time > 0) options['grpc.keepalive_time_ms'] = keepalive.time;
    if (keepalive.timeout > 0) options['grpc.keepalive_timeout_ms'] = keepalive.timeout;
    options['grpc.keepalive_permit_without_calls'] = keepalive.permit_without_stream ? 1 : 0;
  }
  return options;
}
