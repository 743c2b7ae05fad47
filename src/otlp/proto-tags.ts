/**
 * Field tags (`field number << 3 | wire type`) of every message the trace encoder writes, read
 * from the loaded schema once at start-up, so the `.proto` files stay the only place where field
 * numbers are written down. A field missing from the schema fails the import, not a request.
 */
import protobuf from 'protobufjs';
import { otlpRoot } from './proto-schema.js';

const LEN = 2;

function wireType(field: protobuf.Field): number {
  field.resolve();
  if (field.resolvedType instanceof protobuf.Type) return LEN;
  if (field.resolvedType instanceof protobuf.Enum) return 0;
  switch (field.type) {
    case 'string':
    case 'bytes':
      return LEN;
    case 'fixed64':
    case 'sfixed64':
    case 'double':
      return 1;
    case 'fixed32':
    case 'sfixed32':
    case 'float':
      return 5;
    default:
      return 0;
  }
}

function tagsOf<const K extends string>(
  typeName: string,
  fieldNames: readonly K[],
): Readonly<Record<K, number>> {
  const type = otlpRoot.lookupType(typeName);
  const tags = {} as Record<K, number>;
  for (const name of fieldNames) {
    const field = type.fields[name];
    if (field === undefined) throw new Error(`proto schema: ${typeName} has no field ${name}`);
    tags[name] = ((field.id << 3) | wireType(field)) >>> 0;
  }
  return Object.freeze(tags);
}

const TRACE = 'opentelemetry.proto.trace.v1';
const COMMON = 'opentelemetry.proto.common.v1';

export const REQUEST = tagsOf('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest', [
  'resourceSpans',
]);
export const RESOURCE_SPANS = tagsOf(`${TRACE}.ResourceSpans`, [
  'resource',
  'scopeSpans',
  'schemaUrl',
]);
export const RESOURCE = tagsOf('opentelemetry.proto.resource.v1.Resource', [
  'attributes',
  'droppedAttributesCount',
]);
export const SCOPE_SPANS = tagsOf(`${TRACE}.ScopeSpans`, ['scope', 'spans', 'schemaUrl']);
export const SCOPE = tagsOf(`${COMMON}.InstrumentationScope`, [
  'name',
  'version',
  'attributes',
  'droppedAttributesCount',
]);
export const SPAN = tagsOf(`${TRACE}.Span`, [
  'traceId',
  'spanId',
  'traceState',
  'parentSpanId',
  'flags',
  'name',
  'kind',
  'startTimeUnixNano',
  'endTimeUnixNano',
  'attributes',
  'droppedAttributesCount',
  'events',
  'droppedEventsCount',
  'links',
  'droppedLinksCount',
  'status',
]);
export const EVENT = tagsOf(`${TRACE}.Span.Event`, [
  'timeUnixNano',
  'name',
  'attributes',
  'droppedAttributesCount',
]);
export const LINK = tagsOf(`${TRACE}.Span.Link`, [
  'traceId',
  'spanId',
  'traceState',
  'attributes',
  'droppedAttributesCount',
  'flags',
]);
export const STATUS = tagsOf(`${TRACE}.Status`, ['message', 'code']);
export const KEY_VALUE = tagsOf(`${COMMON}.KeyValue`, ['key', 'value']);
export const ANY_VALUE = tagsOf(`${COMMON}.AnyValue`, [
  'stringValue',
  'boolValue',
  'intValue',
  'doubleValue',
  'arrayValue',
  'kvlistValue',
  'bytesValue',
]);
/** `ArrayValue.values` and `KeyValueList.values` share field 1. */
export const ARRAY_VALUE = tagsOf(`${COMMON}.ArrayValue`, ['values']);
export const KEY_VALUE_LIST = tagsOf(`${COMMON}.KeyValueList`, ['values']);
