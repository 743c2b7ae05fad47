import type { ServiceDefinition } from '@grpc/grpc-js';

/** The OTLP/gRPC method every trace export calls. */
export const TRACE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

const identity = (b: Buffer) => b;

/**
 * OTLP's TraceService with messages as bytes in and out: the caller encodes and decodes (with
 * `proto-codec.ts`), so a bad message is its own error, not an opaque one from the transport.
 * A type-only import: grpc-js itself is loaded only where a server or client is made.
 */
export const rawTraceService: ServiceDefinition<{ Export: unknown }> = {
  Export: {
    path: TRACE_EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};
