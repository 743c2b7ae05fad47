import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { otlpRoot } from './proto-schema.js';
import * as tagsModule from './proto-tags.js';

const tags: Readonly<Record<string, Readonly<Record<string, number>>>> = { ...tagsModule };

/** Which message each set of tags is for. */
const MESSAGES: Record<keyof typeof tagsModule, string> = {
  REQUEST: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
  RESOURCE_SPANS: 'opentelemetry.proto.trace.v1.ResourceSpans',
  RESOURCE: 'opentelemetry.proto.resource.v1.Resource',
  SCOPE_SPANS: 'opentelemetry.proto.trace.v1.ScopeSpans',
  SCOPE: 'opentelemetry.proto.common.v1.InstrumentationScope',
  SPAN: 'opentelemetry.proto.trace.v1.Span',
  EVENT: 'opentelemetry.proto.trace.v1.Span.Event',
  LINK: 'opentelemetry.proto.trace.v1.Span.Link',
  STATUS: 'opentelemetry.proto.trace.v1.Status',
  KEY_VALUE: 'opentelemetry.proto.common.v1.KeyValue',
  ANY_VALUE: 'opentelemetry.proto.common.v1.AnyValue',
  ARRAY_VALUE: 'opentelemetry.proto.common.v1.ArrayValue',
  KEY_VALUE_LIST: 'opentelemetry.proto.common.v1.KeyValueList',
  EXPORT_RESPONSE: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
  PARTIAL_SUCCESS: 'opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess',
  RPC_STATUS: 'google.rpc.Status',
  ANY: 'google.protobuf.Any',
  RETRY_INFO: 'google.rpc.RetryInfo',
  DURATION: 'google.protobuf.Duration',
};

/** The wire type protobuf gives a field of this type. */
function wireType(field: protobuf.Field): number {
  field.resolve();
  if (field.resolvedType instanceof protobuf.Type) return 2;
  if (field.resolvedType instanceof protobuf.Enum) return 0;
  switch (field.type) {
    case 'string':
    case 'bytes':
      return 2;
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

describe('proto tags', () => {
  it.each(Object.entries(MESSAGES))('%s: every tag is the one the .proto gives', (name, type) => {
    const message = otlpRoot.lookupType(type);
    const written = tags[name]!;
    const fromSchema: Record<string, number> = {};
    for (const field of Object.keys(written)) {
      const f = message.fields[field];
      expect(f, `${type} has no field ${field}`).toBeDefined();
      fromSchema[field] = ((f!.id << 3) | wireType(f!)) >>> 0;
    }
    expect(written).toEqual(fromSchema);
  });

  it('name every set of tags the module exports', () => {
    expect(Object.keys(tags).sort()).toEqual(Object.keys(MESSAGES).sort());
  });
});
