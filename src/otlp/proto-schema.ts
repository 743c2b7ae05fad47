/**
 * The OTLP protobuf schema, loaded once from the repository's `proto/` folder.
 *
 * protobufjs compiles an encoder and a decoder for each message type the first time it is used;
 * the lookups below are the only handles the codecs need.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/**
 * `proto/` at the repository root. This module sits two levels below it both as source
 * (`src/otlp/proto-schema.ts`, run by vitest) and compiled (`dist/otlp/proto-schema.js`), and the
 * published package ships `proto/` beside `dist/`.
 */
const PROTO_DIR = fileURLToPath(new URL('../../proto/', import.meta.url));

const ENTRY_FILES = [
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'google/rpc/status.proto',
];

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  // Imports are written relative to `proto/` (as `protoc -I proto` reads them), not to the
  // importing file. `google/protobuf/{any,duration}.proto` never reach this: protobufjs bundles them.
  root.resolvePath = (_origin, target) => join(PROTO_DIR, target);
  root.loadSync(ENTRY_FILES, { keepCase: false });
  // Fail at start-up, not on the first request, if a referenced type is missing.
  root.resolveAll();
  return root;
}

/** Every OTLP trace message and `google.rpc` error type, resolved. */
export const otlpRoot: protobuf.Root = loadRoot();

export const ExportTraceServiceRequest = otlpRoot.lookupType(
  'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
);
export const ExportTraceServiceResponse = otlpRoot.lookupType(
  'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
);
/** `google.rpc.Status`: the body of an OTLP error reply. */
export const RpcStatus = otlpRoot.lookupType('google.rpc.Status');
/** `google.rpc.RetryInfo`: carried in `Status.details` to ask the client to wait. */
export const RetryInfo = otlpRoot.lookupType('google.rpc.RetryInfo');
