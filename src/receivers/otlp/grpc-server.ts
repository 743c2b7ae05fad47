import {
  type handleUnaryCall,
  Metadata,
  Server,
  ServerCredentials,
  type ServerErrorResponse,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import type { TracesConsumer } from '../../component/types.js';
import { CollectorError } from '../../errors/errors.js';
import { decodeTracesRequest, encodeStatus, encodeTracesResponse } from '../../otlp/proto-codec.js';
import { spanCount } from '../../pdata/count.js';
import type { Traces } from '../../pdata/traces.js';
import type { ReceiverReport } from '../../receiverhelper/obsreport.js';
import { GrpcCode, replyFor } from '../../server/status.js';

const identity = (b: Buffer) => b;

/**
 * A request message's bytes, handed over once. grpc-js keeps the request message until the call
 * ends, which is after the pipeline has taken the spans: holding the bytes in this wrapper lets
 * them be freed as soon as they are decoded.
 */
class RequestBytes {
  constructor(private bytes: Buffer | undefined) {}
  take(): Buffer {
    const bytes = this.bytes ?? Buffer.alloc(0);
    this.bytes = undefined;
    return bytes;
  }
}

// Bytes in and out: decoding happens in the handler, so a bad message is INVALID_ARGUMENT with
// our message instead of an opaque INTERNAL from the transport.
const traceService: ServiceDefinition = {
  Export: {
    path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: (b: Buffer) => new RequestBytes(b),
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

export interface GrpcReceiverOptions {
  readonly endpoint: string;
  readonly maxRecvMsgSizeMib: number;
  readonly next: TracesConsumer;
  readonly report: ReceiverReport;
  readonly accepting: () => boolean;
}

export interface GrpcListener {
  readonly address: string;
  close(): Promise<void>;
}

/** Serves OTLP `TraceService/Export` (gzip-compressed messages are decompressed by grpc-js). */
export async function startGrpcReceiver(opts: GrpcReceiverOptions): Promise<GrpcListener> {
  const server = new Server({
    'grpc.max_receive_message_length': opts.maxRecvMsgSizeMib * 1024 * 1024,
  });
  const exportHandler: handleUnaryCall<RequestBytes, Buffer> = (call, callback) => {
    exportTraces(call.request, opts).then(
      (reply) => callback(null, reply),
      (err: unknown) => callback(toGrpcError(err)),
    );
  };
  server.addService(traceService, { Export: exportHandler });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(opts.endpoint, ServerCredentials.createInsecure(), (err, bound) => {
      if (err) reject(new Error(`cannot listen on ${opts.endpoint}: ${err.message}`));
      else resolve(bound);
    });
  });
  const host = opts.endpoint.slice(0, opts.endpoint.lastIndexOf(':'));
  return {
    address: `${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
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

async function exportTraces(request: RequestBytes, opts: GrpcReceiverOptions): Promise<Buffer> {
  if (!opts.accepting()) {
    opts.report.badRequest('ERR_SHUTTING_DOWN');
    throw new CollectorError('ERR_SHUTTING_DOWN', 'the collector is shutting down');
  }
  let traces: Traces;
  try {
    traces = decodeTracesRequest(request.take());
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
  return Buffer.from(encodeTracesResponse());
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
