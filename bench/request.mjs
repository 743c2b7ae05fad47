// The benchmark's request: N spans shaped like the Collector testbed's load generator (kind
// CLIENT, two int attributes) plus a few GenAI attributes, encoded once with protobufjs.
import { randomBytes } from 'node:crypto';
import protobuf from 'protobufjs';

const root = new protobuf.Root();
root.resolvePath = (_origin, target) => new URL(`../proto/${target}`, import.meta.url).pathname;
root.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto', { keepCase: false });
export const ExportTraceServiceRequest = root.lookupType(
  'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
);

/** Traces of 10 spans each: a root and nine children, as an instrumented service sends them. */
export function makeRequestBody(spanCount) {
  const now = BigInt(Date.now()) * 1_000_000n;
  let traceId;
  let rootId;
  const spans = Array.from({ length: spanCount }, (_, i) => {
    if (i % 10 === 0) {
      traceId = randomBytes(16);
      rootId = randomBytes(8);
    }
    return {
      traceId,
      spanId: i % 10 === 0 ? rootId : randomBytes(8),
      parentSpanId: i % 10 === 0 ? undefined : rootId,
      name: 'load-generator-span',
      kind: 3,
      startTimeUnixNano: (now + BigInt(i)).toString(),
      endTimeUnixNano: (now + BigInt(i) + 1_000_000n).toString(),
      attributes: [
        { key: 'load_generator.span_seq_num', value: { intValue: i } },
        { key: 'load_generator.trace_seq_num', value: { intValue: 1 } },
        { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
        { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4.1-mini' } },
        { key: 'gen_ai.usage.input_tokens', value: { intValue: 120 } },
      ],
    };
  });
  const message = ExportTraceServiceRequest.fromObject({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench' } }] },
        scopeSpans: [{ scope: { name: 'bench' }, spans }],
      },
    ],
  });
  return Buffer.from(ExportTraceServiceRequest.encode(message).finish());
}
