/**
 * Field tags (`field number << 3 | wire type`) of every message the OTLP codecs read and write
 * themselves. The `.proto` files under `proto/` are the reference: `proto-tags.test.ts` loads
 * them (with protobufjs) and checks every number here against them. The numbers are written out
 * rather than read from the schema at start-up so that running the collector does not load
 * protobufjs and parse the `.proto` files (about 2 MiB of idle RSS, docs/benchmarks.md).
 */

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

/** `{ field: [number, wire type] }` → `{ field: tag }`. */
function tags<const K extends string>(
  fields: Readonly<Record<K, readonly [number, number]>>,
): Readonly<Record<K, number>> {
  const out = {} as Record<K, number>;
  for (const name of Object.keys(fields) as K[]) {
    const [field, wire] = fields[name];
    out[name] = ((field << 3) | wire) >>> 0;
  }
  return Object.freeze(out);
}

/** `opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest` */
export const REQUEST = tags({
  resourceSpans: [1, LEN],
});
/** `opentelemetry.proto.trace.v1.ResourceSpans` */
export const RESOURCE_SPANS = tags({
  resource: [1, LEN],
  scopeSpans: [2, LEN],
  schemaUrl: [3, LEN],
});
/** `opentelemetry.proto.resource.v1.Resource` */
export const RESOURCE = tags({
  attributes: [1, LEN],
  droppedAttributesCount: [2, VARINT],
});
/** `opentelemetry.proto.trace.v1.ScopeSpans` */
export const SCOPE_SPANS = tags({
  scope: [1, LEN],
  spans: [2, LEN],
  schemaUrl: [3, LEN],
});
/** `opentelemetry.proto.common.v1.InstrumentationScope` */
export const SCOPE = tags({
  name: [1, LEN],
  version: [2, LEN],
  attributes: [3, LEN],
  droppedAttributesCount: [4, VARINT],
});
/** `opentelemetry.proto.trace.v1.Span` */
export const SPAN = tags({
  traceId: [1, LEN],
  spanId: [2, LEN],
  traceState: [3, LEN],
  parentSpanId: [4, LEN],
  flags: [16, I32],
  name: [5, LEN],
  kind: [6, VARINT],
  startTimeUnixNano: [7, I64],
  endTimeUnixNano: [8, I64],
  attributes: [9, LEN],
  droppedAttributesCount: [10, VARINT],
  events: [11, LEN],
  droppedEventsCount: [12, VARINT],
  links: [13, LEN],
  droppedLinksCount: [14, VARINT],
  status: [15, LEN],
});
/** `opentelemetry.proto.trace.v1.Span.Event` */
export const EVENT = tags({
  timeUnixNano: [1, I64],
  name: [2, LEN],
  attributes: [3, LEN],
  droppedAttributesCount: [4, VARINT],
});
/** `opentelemetry.proto.trace.v1.Span.Link` */
export const LINK = tags({
  traceId: [1, LEN],
  spanId: [2, LEN],
  traceState: [3, LEN],
  attributes: [4, LEN],
  droppedAttributesCount: [5, VARINT],
  flags: [6, I32],
});
/** `opentelemetry.proto.trace.v1.Status` */
export const STATUS = tags({
  message: [2, LEN],
  code: [3, VARINT],
});
/** `opentelemetry.proto.common.v1.KeyValue` */
export const KEY_VALUE = tags({
  key: [1, LEN],
  value: [2, LEN],
});
/** `opentelemetry.proto.common.v1.AnyValue` */
export const ANY_VALUE = tags({
  stringValue: [1, LEN],
  boolValue: [2, VARINT],
  intValue: [3, VARINT],
  doubleValue: [4, I64],
  arrayValue: [5, LEN],
  kvlistValue: [6, LEN],
  bytesValue: [7, LEN],
});
/** `opentelemetry.proto.common.v1.ArrayValue` (its `values` is field 1, as `KeyValueList`'s). */
export const ARRAY_VALUE = tags({
  values: [1, LEN],
});
/** `opentelemetry.proto.common.v1.KeyValueList` */
export const KEY_VALUE_LIST = tags({
  values: [1, LEN],
});

// The replies (`proto-codec.ts`): the export response and the `google.rpc.Status` error body.
/** `opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse` */
export const EXPORT_RESPONSE = tags({ partialSuccess: [1, LEN] });
/** `opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess` */
export const PARTIAL_SUCCESS = tags({ rejectedSpans: [1, VARINT], errorMessage: [2, LEN] });
/** `google.rpc.Status` */
export const RPC_STATUS = tags({ code: [1, VARINT], message: [2, LEN], details: [3, LEN] });
/** `google.protobuf.Any` */
export const ANY = tags({ type_url: [1, LEN], value: [2, LEN] });
/** `google.rpc.RetryInfo` */
export const RETRY_INFO = tags({ retryDelay: [1, LEN] });
/** `google.protobuf.Duration` */
export const DURATION = tags({ seconds: [1, VARINT], nanos: [2, VARINT] });
