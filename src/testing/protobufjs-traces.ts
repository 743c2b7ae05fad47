/**
 * A second, independent protobuf encoder for tests: pdata → the plain objects protobufjs encodes,
 * with the same conventions as `src/otlp/pdata-to-proto.ts` (scalar defaults left out;
 * `resource`, `scope`, `status` and `KeyValue.value` always written). protobufjs's output for
 * these objects is what our own writer must reproduce byte for byte.
 *
 * It was the first production encoder; the hand-rolled writer replaced it because protobufjs's
 * writer allocates per field and cost more than decoding did.
 */

import { locate, mapWithin, within } from '../otlp/field-error.js';
import { badHexId } from '../otlp/hex-id.js';
import { checkInt64, checkUint64, type LongBits } from '../otlp/int64.js';
import { ExportTraceServiceRequest } from '../otlp/proto-schema.js';
import type {
  AnyValue,
  Attributes,
  InstrumentationScope,
  KeyValueList,
  Resource,
  ResourceSpans,
  ScopeSpans,
  Span,
  SpanEvent,
  SpanLink,
  Status,
  Traces,
} from '../pdata/traces.js';

class AnyValueOut {
  stringValue: string | undefined = undefined;
  boolValue: boolean | undefined = undefined;
  intValue: LongBits | undefined = undefined;
  doubleValue: number | undefined = undefined;
  arrayValue: { values: readonly AnyValueOut[] } | undefined = undefined;
  kvlistValue: { values: readonly KeyValueOut[] } | undefined = undefined;
  bytesValue: Uint8Array | undefined = undefined;
}
interface KeyValueOut {
  key: string | undefined;
  value: AnyValueOut;
}
interface AttributedOut {
  attributes: readonly KeyValueOut[];
  droppedAttributesCount: number | undefined;
}

/** `traces` encoded by protobufjs; a `FieldError` locates invalid pdata. */
export function encodeWithProtobufjs(traces: Traces): Uint8Array {
  return ExportTraceServiceRequest.encode(tracesToProtobufjs(traces)).finish();
}

/** The `ExportTraceServiceRequest` object protobufjs encodes for `traces`. */
export function tracesToProtobufjs(traces: Traces): { resourceSpans: readonly object[] } {
  return { resourceSpans: mapWithin(traces.resourceSpans, 'resourceSpans', resourceSpansToProto) };
}

function resourceSpansToProto(rs: ResourceSpans) {
  return {
    resource: within('resource', rs.resource, resourceToProto),
    scopeSpans: mapWithin(rs.scopeSpans, 'scopeSpans', scopeSpansToProto),
    schemaUrl: orUndefined(rs.schemaUrl),
  };
}

function resourceToProto(r: Resource): AttributedOut {
  return {
    attributes: attributesToProto(r.attributes),
    droppedAttributesCount: nonZero(r.droppedAttributesCount),
  };
}

function scopeSpansToProto(ss: ScopeSpans) {
  return {
    scope: within('scope', ss.scope, scopeToProto),
    spans: mapWithin(ss.spans, 'spans', spanToProto),
    schemaUrl: orUndefined(ss.schemaUrl),
  };
}

function scopeToProto(s: InstrumentationScope) {
  return {
    name: orUndefined(s.name),
    version: orUndefined(s.version),
    attributes: attributesToProto(s.attributes),
    droppedAttributesCount: nonZero(s.droppedAttributesCount),
  };
}

function spanToProto(s: Span) {
  return {
    traceId: idToBytes(s.traceId, 16, 'traceId'),
    spanId: idToBytes(s.spanId, 8, 'spanId'),
    traceState: orUndefined(s.traceState),
    parentSpanId: idToBytes(s.parentSpanId, 8, 'parentSpanId'),
    flags: nonZero(s.flags),
    name: orUndefined(s.name),
    kind: nonZero(s.kind),
    startTimeUnixNano: timeToProto(s.startTimeUnixNano, 'startTimeUnixNano'),
    endTimeUnixNano: timeToProto(s.endTimeUnixNano, 'endTimeUnixNano'),
    attributes: attributesToProto(s.attributes),
    droppedAttributesCount: nonZero(s.droppedAttributesCount),
    events: mapWithin(s.events, 'events', eventToProto),
    droppedEventsCount: nonZero(s.droppedEventsCount),
    links: mapWithin(s.links, 'links', linkToProto),
    droppedLinksCount: nonZero(s.droppedLinksCount),
    status: statusToProto(s.status),
  };
}

function eventToProto(e: SpanEvent) {
  return {
    timeUnixNano: timeToProto(e.timeUnixNano, 'timeUnixNano'),
    name: orUndefined(e.name),
    attributes: attributesToProto(e.attributes),
    droppedAttributesCount: nonZero(e.droppedAttributesCount),
  };
}

function linkToProto(l: SpanLink) {
  return {
    traceId: idToBytes(l.traceId, 16, 'traceId'),
    spanId: idToBytes(l.spanId, 8, 'spanId'),
    traceState: orUndefined(l.traceState),
    attributes: attributesToProto(l.attributes),
    droppedAttributesCount: nonZero(l.droppedAttributesCount),
    flags: nonZero(l.flags),
  };
}

function statusToProto(s: Status) {
  return { message: orUndefined(s.message), code: nonZero(s.code) };
}

function timeToProto(t: bigint, field: string): LongBits | undefined {
  return t === 0n ? undefined : uint64ToLong(t, field);
}

function attributesToProto(attrs: Attributes): KeyValueOut[] {
  return keyValuesToProto(attrs, 'attributes');
}

function keyValuesToProto(attrs: Attributes, field: string): KeyValueOut[] {
  const n = attrs.length;
  const out = new Array<KeyValueOut>(n);
  for (let i = 0; i < n; i++) {
    const kv = attrs[i]!;
    try {
      out[i] = { key: orUndefined(kv.key), value: anyValueToProto(kv.value) };
    } catch (err) {
      throw locate(locate(err, 'value'), field, i);
    }
  }
  return out;
}

function anyValueToProto(v: AnyValue): AnyValueOut {
  const out = new AnyValueOut();
  switch (typeof v) {
    case 'string':
      out.stringValue = v;
      break;
    case 'bigint':
      out.intValue = int64ToLong(v, 'intValue');
      break;
    case 'boolean':
      out.boolValue = v;
      break;
    case 'number':
      out.doubleValue = v;
      break;
    default:
      if (v === null) break;
      if (v instanceof Uint8Array) out.bytesValue = v;
      else if (Array.isArray(v)) out.arrayValue = { values: arrayToProto(v) };
      else out.kvlistValue = { values: kvlistToProto((v as KeyValueList).kvlist) };
  }
  return out;
}

function arrayToProto(values: readonly AnyValue[]): AnyValueOut[] {
  const out = new Array<AnyValueOut>(values.length);
  for (let i = 0; i < values.length; i++) {
    try {
      out[i] = anyValueToProto(values[i]!);
    } catch (err) {
      throw locate(locate(err, 'values', i), 'arrayValue');
    }
  }
  return out;
}

function kvlistToProto(attrs: Attributes): KeyValueOut[] {
  try {
    return keyValuesToProto(attrs, 'values');
  } catch (err) {
    throw locate(err, 'kvlistValue');
  }
}

function orUndefined(s: string): string | undefined {
  return s === '' ? undefined : s;
}

function nonZero(n: number): number | undefined {
  return n === 0 ? undefined : n;
}

function idToBytes(hex: string, size: 16 | 8, field: string): Buffer | undefined {
  if (hex === '') return undefined;
  const bytes = Buffer.from(hex, 'hex');
  if (hex.length !== size * 2 || bytes.length !== size) throw badHexId(hex, size, field);
  return bytes;
}

function uint64ToLong(v: bigint, field: string): LongBits {
  return halves(BigInt.asIntN(64, checkUint64(v, field)));
}

function int64ToLong(v: bigint, field: string): LongBits {
  return halves(checkInt64(v, field));
}

function halves(v: bigint): LongBits {
  return { low: Number(BigInt.asUintN(32, v)), high: Number(BigInt.asUintN(32, v >> 32n)) };
}
