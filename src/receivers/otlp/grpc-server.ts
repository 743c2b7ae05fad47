import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import {
  type handleUnaryCall,
  Metadata,
  Server,
  ServerCredentials,
  type ServerErrorResponse,
  ServerInterceptingCall,
  type ServerInterceptor,
  type ServiceDefinition,
  status,
} from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { ServerAuthenticator } from '../../component/auth.js';
import type { TracesConsumer } from '../../component/types.js';
import { parseEndpoint } from '../../config/schema.js';
import { serverTlsOptions, type TlsServerConfig, watchTls } from '../../config/tls.js';
import { CollectorError, errorMessage } from '../../errors/errors.js';
import { type DecodeLimits, Truncations } from '../../otlp/limits.js';
import {
  decodeTracesRequestPaced,
  encodeStatus,
  encodeTracesResponse,
} from '../../otlp/proto-codec.js';
import { rawTraceService } from '../../otlp/trace-service.js';
import { spanCount } from '../../pdata/count.js';
import type { Traces } from '../../pdata/traces.js';
import { memoryBudget, noMemoryError } from '../../pipeline/memory-budget.js';
import type { ReceiverReport } from '../../receiverhelper/obsreport.js';
import { GrpcCode, replyFor } from '../../server/status.js';

const MiB = 1024 * 1024;

/**
 * A request message's bytes, handed over once. grpc-js keeps the request message until the call
 * ends, which is after the pipeline has taken the spans: holding the bytes in this wrapper lets
 * them be freed as soon as they are decoded.
 */
class RequestBytes {
  readonly size: number;
  constructor(private bytes: Buffer | undefined) {
    this.size = bytes?.length ?? 0;
  }
  take(): Buffer {
    const bytes = this.bytes ?? Buffer.alloc(0);
    this.bytes = undefined;
    return bytes;
  }
}

// Bytes in and out: decoding happens in the handler, so a bad message is INVALID_ARGUMENT with
// our message instead of an opaque INTERNAL from the transport.
const traceService: ServiceDefinition = {
  Export: { ...rawTraceService.Export, requestDeserialize: (b: Buffer) => new RequestBytes(b) },
};

export interface GrpcReceiverOptions {
  readonly endpoint: string;
  readonly maxRecvMsgSizeMib: number;
  readonly tls?: TlsServerConfig;
  readonly auth?: ServerAuthenticator;
  /** Time allowed from a call's headers to its whole message. */
  readonly readTimeoutMs: number;
  readonly maxConnections: number;
  readonly limits: DecodeLimits;
  readonly next: TracesConsumer;
  readonly report: ReceiverReport;
  readonly accepting: () => boolean;
  readonly logger?: Logger;
}

export interface GrpcListener {
  readonly address: string;
  close(): Promise<void>;
}

/**
 * Serves OTLP `TraceService/Export` (gzip-compressed messages are decompressed by grpc-js). The
 * TCP listener is ours, so connections beyond `maxConnections` are closed as they arrive; calls
 * are authenticated from their metadata before their message is read, and a message that does
 * not arrive within the read timeout ends the call.
 */
export async function startGrpcReceiver(opts: GrpcReceiverOptions): Promise<GrpcListener> {
  const parsed = parseEndpoint(opts.endpoint);
  if (!parsed) throw new Error(`invalid endpoint ${JSON.stringify(opts.endpoint)}`);
  const server = new Server({
    'grpc.max_receive_message_length': opts.maxRecvMsgSizeMib * 1024 * 1024,
    interceptors: [gatekeeper(opts)],
  });
  const exportHandler: handleUnaryCall<RequestBytes, Buffer> = (call, callback) => {
    exportTraces(call.request, opts).then(
      (reply) => callback(null, reply),
      (err: unknown) => callback(toGrpcError(err)),
    );
  };
  server.addService(traceService, { Export: exportHandler });
  const credentials = opts.tls
    ? new ReloadingTlsCredentials(opts.tls, opts.logger)
    : ServerCredentials.createInsecure();
  const injector = server.createConnectionInjector(credentials);
  const tcp: TcpServer = createTcpServer((socket) => injector.injectConnection(socket));
  tcp.maxConnections = opts.maxConnections;
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `cannot listen on ${opts.endpoint}: ${err.code === 'EADDRINUSE' ? 'the address is already in use' : err.message}`,
        ),
      ),
    );
    tcp.listen(parsed.port, parsed.host || undefined, () => resolve());
  });
  const bound = tcp.address() as { port: number };
  const host = opts.endpoint.slice(0, opts.endpoint.lastIndexOf(':'));
  return {
    address: `${host}:${bound.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if (credentials instanceof ReloadingTlsCredentials) credentials.stop();
        tcp.close();
        // Let in-flight calls finish; force after a grace period so shutdown cannot hang.
        const force = setTimeout(() => server.forceShutdown(), 10_000);
        force.unref();
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}

/**
 * Authenticates each call from its metadata (before its message is read) and ends a call whose
 * message has not arrived within the read timeout, as a trickling client would hold it forever.
 */
function gatekeeper(opts: GrpcReceiverOptions): ServerInterceptor {
  return (_method, call) => {
    let timer: NodeJS.Timeout | undefined;
    const stop = () => clearTimeout(timer);
    return new ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, mdNext) {
            if (opts.auth) {
              try {
                opts.auth.authenticate(metadata.getMap() as Record<string, string>);
              } catch (err) {
                opts.report.badRequest('ERR_UNAUTHENTICATED');
                call.sendStatus({ code: status.UNAUTHENTICATED, details: errorMessage(err) });
                return;
              }
            }
            // A call is refused before its message is read when a message of the largest size
            // would pass the memory limit (memory_limiter).
            if (!memoryBudget.hasRoom(opts.maxRecvMsgSizeMib * MiB)) {
              opts.report.badRequest('ERR_PIPELINE_REFUSED');
              call.sendStatus({ code: status.UNAVAILABLE, details: noMemoryError().message });
              return;
            }
            timer = setTimeout(() => {
              opts.report.badRequest('ERR_REQUEST_TIMEOUT');
              call.sendStatus({
                code: status.DEADLINE_EXCEEDED,
                details: `the request message did not arrive within read_timeout (${opts.readTimeoutMs} ms)`,
              });
            }, opts.readTimeoutMs);
            timer.unref();
            mdNext(metadata);
          },
          onReceiveMessage(message, msgNext) {
            stop();
            msgNext(message);
          },
          onCancel: stop,
        });
      },
      sendStatus(s, statusNext) {
        stop();
        statusNext(s);
      },
    });
  };
}

/** TLS credentials read from the configured files, and read again every `reload_interval`. */
class ReloadingTlsCredentials extends ServerCredentials {
  readonly stop: () => void;

  constructor(tls: TlsServerConfig, logger?: Logger) {
    const { requestCert, rejectUnauthorized, ...context } = serverTlsOptions(tls);
    super({ requestCert, rejectUnauthorized }, context);
    this.stop = watchTls(
      tls,
      () => {
        const { requestCert: _r, rejectUnauthorized: _u, ...next } = serverTlsOptions(tls);
        return next;
      },
      (next) => this.updateSecureContextOptions(next),
      logger,
    );
  }

  _equals(other: ServerCredentials): boolean {
    return other === this;
  }
}

async function exportTraces(request: RequestBytes, opts: GrpcReceiverOptions): Promise<Buffer> {
  if (!opts.accepting()) {
    opts.report.badRequest('ERR_SHUTTING_DOWN');
    throw new CollectorError('ERR_SHUTTING_DOWN', 'the collector is shutting down');
  }
  const reservation = memoryBudget.reserve(request.size);
  if (!reservation) {
    opts.report.badRequest('ERR_PIPELINE_REFUSED');
    throw noMemoryError();
  }
  try {
    let traces: Traces;
    const cut = new Truncations();
    try {
      // In slices, so a large message does not hold the event loop.
      traces = await decodeTracesRequestPaced(
        request.take(),
        opts.limits,
        cut,
        undefined,
        opts.next.takesWire === true,
      );
    } catch (err) {
      if (err instanceof CollectorError) opts.report.badRequest(err.code);
      throw err;
    }
    const spans = spanCount(traces);
    try {
      if (spans > 0) await opts.next.consume(traces);
    } catch (err) {
      opts.report.refused(spans);
      throw err;
    }
    opts.report.accepted(spans);
    opts.report.truncated(cut);
    return Buffer.from(encodeTracesResponse());
  } finally {
    reservation.release();
  }
}

function toGrpcError(err: unknown): ServerErrorResponse {
  const reply = replyFor(err);
  const metadata = new Metadata();
  const retryDelayMs =
    reply.retryAfterSeconds === undefined ? undefined : reply.retryAfterSeconds * 1000;
  metadata.set(
    'grpc-status-details-bin',
    Buffer.from(encodeStatus({ code: reply.grpcCode, message: reply.message, retryDelayMs })),
  );
  const error = new Error(reply.message) as ServerErrorResponse;
  error.code = reply.grpcCode === GrpcCode.OK ? GrpcCode.INTERNAL : reply.grpcCode;
  error.details = reply.message;
  error.metadata = metadata;
  return error;
}
