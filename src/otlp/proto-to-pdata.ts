/**
 * protobufjs messages → pdata, field for field. Decoded messages carry proto3 defaults on their
 * prototypes ('' / 0 / zero Long / `[]`; `null` for message fields), so every scalar read below
 * is already defaulted and only message fields and oneof members need a presence check.
 */
import {
  type AnyValue,
  type Attributes,
  EMPTY_RESOURCE,
  EMPTY_SCOPE,
  type InstrumentationScope,
  type KeyValue,
  type Resource,
  type ResourceSpans,
  type ScopeSpans,
  type Span,
  type SpanEvent,
  type SpanKind,
  type SpanLink,
  type Status,
  type StatusCode,
  type Traces,
  UNSET_STATUS,
} from '../pdata/traces.js';
import { FieldError, mapWithin, NONE } from './field-error.js';
import { idFromBytes } from './hex-id.js';
import { int64FromLong, type LongBits, uint64FromLong } from './int64.js';

type Bytes = Uint8Array | readonly number[];
type Long = LongBits | number;

interface PbAnyValue {
  readonly stringValue: string;
  readonly boolValue: boolean;
  readonly intValue: Long;
  readonly doubleValue: number;
  readonly arrayValue: { readonly values: readonly PbAnyValue[] } | null;
  readonly kvlistValue: { readonly values: readonly PbKeyValue[] } | null;
  readonly bytesValue: Bytes;
}
interface PbKeyValue {
  readonly key: string;
  readonly value: PbAnyValue | null;
}
interface PbAttributed {
  readonly attributes: readonly PbKeyValue[];
  readonly droppedAttributesCount: number;
}
interface PbScope extends PbAttributed {
  readonly name: string;
  readonly version: string;
}
interface PbEvent extends PbAttributed {
  readonly timeUnixNano: Long;
  readonly name: string;
}
interface PbLink extends PbAttributed {
  readonly traceId: Bytes;
  readonly spanId: Bytes;
  readonly traceState: string;
  readonly flags: number;
}
interface PbSpan extends PbAttributed {
  readonly traceId: Bytes;
  readonly spanId: Bytes;
  readonly traceState: string;
  readonly parentSpanId: Bytes;
  readonly flags: number;
  readonly name: string;
  readonly kind: number;
  readonly startTimeUnixNano: Long;
  readonly endTimeUnixNano: Long;
  readonly events: readonly PbEvent[];
  readonly droppedEventsCount: number;
  readonly links: readonly PbLink[];
  readonly droppedLinksCount: number;
  readonly status: { readonly message: string; readonly code: number } | null;
}
interface PbScopeSpans {
  readonly scope: PbScope | null;
  readonly spans: readonly PbSpan[];
  readonly schemaUrl: string;
}
interface PbResourceSpans {
  readonly resource: PbAttributed | null;
  readonly scopeSpans: readonly PbScopeSpans[];
  readonly schemaUrl: string;
}
/** A decoded `ExportTraceServiceRequest` (or `TracesData`: the same field 1). */
export interface PbTracesRequest {
  readonly resourceSpans: readonly PbResourceSpans[];
}

/** Converts a decoded request; throws a `FieldError` located within it for invalid ids or enums. */
export function tracesFromProto(req: PbTracesRequest): Traces {
  return { resourceSpans: mapWithin(req.resourceSpans, 'resourceSpans', resourceSpansFromProto) };
}

function resourceSpansFromProto(m: PbResourceSpans): ResourceSpans {
  return {
    resource: m.resource === null ? EMPTY_RESOURCE : resourceFromProto(m.resource),
    scopeSpans: mapWithin(m.scopeSpans, 'scopeSpans', scopeSpansFromProto),
    schemaUrl: m.schemaUrl,
  };
}

function resourceFromProto(m: PbAttributed): Resource {
  if (m.attributes.length === 0 && m.droppedAttributesCount === 0) return EMPTY_RESOURCE;
  return {
    attributes: attributesFromProto(m.attributes),
    droppedAttributesCount: m.droppedAttributesCount,
  };
}

function scopeSpansFromProto(m: PbScopeSpans): ScopeSpans {
  return {
    scope: m.scope === null ? EMPTY_SCOPE : scopeFromProto(m.scope),
    spans: mapWithin(m.spans, 'spans', spanFromProto),
    schemaUrl: m.schemaUrl,
  };
}

function scopeFromProto(m: PbScope): InstrumentationScope {
  return {
    name: m.name,
    version: m.version,
    attributes: attributesFromProto(m.attributes),
    droppedAttributesCount: m.droppedAttributesCount,
  };
}

function spanFromProto(m: PbSpan): Span {
  return {
    traceId: idFromBytes(m.traceId, 16, 'traceId'),
    spanId: idFromBytes(m.spanId, 8, 'spanId'),
    parentSpanId: idFromBytes(m.parentSpanId, 8, 'parentSpanId'),
    traceState: m.traceState,
    flags: m.flags,
    name: m.name,
    kind: spanKind(m.kind),
    startTimeUnixNano: uint64FromLong(m.startTimeUnixNano),
    endTimeUnixNano: uint64FromLong(m.endTimeUnixNano),
    attributes: attributesFromProto(m.attributes),
    droppedAttributesCount: m.droppedAttributesCount,
    events: mapWithin(m.events, 'events', eventFromProto),
    droppedEventsCount: m.droppedEventsCount,
    links: mapWithin(m.links, 'links', linkFromProto),
    droppedLinksCount: m.droppedLinksCount,
    status: m.status === null ? UNSET_STATUS : statusFromProto(m.status),
  };
}

function eventFromProto(m: PbEvent): SpanEvent {
  return {
    timeUnixNano: uint64FromLong(m.timeUnixNano),
    name: m.name,
    attributes: attributesFromProto(m.attributes),
    droppedAttributesCount: m.droppedAttributesCount,
  };
}

function linkFromProto(m: PbLink): SpanLink {
  return {
    traceId: idFromBytes(m.traceId, 16, 'traceId'),
    spanId: idFromBytes(m.spanId, 8, 'spanId'),
    traceState: m.traceState,
    attributes: attributesFromProto(m.attributes),
    droppedAttributesCount: m.droppedAttributesCount,
    flags: m.flags,
  };
}

function statusFromProto(m: { readonly message: string; readonly code: number }): Status {
  const code = m.code;
  if (code === 0 && m.message === '') return UNSET_STATUS;
  if (code !== 0 && code !== 1 && code !== 2) {
    throw new FieldError('status.code', `expected a StatusCode (0, 1 or 2), got ${code}`);
  }
  return { code: code as StatusCode, message: m.message };
}

function spanKind(kind: number): SpanKind {
  if (kind >= 0 && kind <= 5) return kind as SpanKind;
  throw new FieldError('kind', `expected a SpanKind (0 to 5), got ${kind}`);
}

// Attributes are the bulk of a span, so they get a plain loop rather than `mapWithin`: nothing
// in an AnyValue can fail to convert from protobuf, so there is no location to track.
function attributesFromProto(kvs: readonly PbKeyValue[]): Attributes {
  const n = kvs.length;
  if (n === 0) return NONE;
  const out = new Array<KeyValue>(n);
  for (let i = 0; i < n; i++) {
    const kv = kvs[i]!;
    out[i] = { key: kv.key, value: kv.value === null ? null : anyValueFromProto(kv.value) };
  }
  return out;
}

const hasOwn = Object.hasOwn;

function anyValueFromProto(v: PbAnyValue): AnyValue {
  // Scalar oneof members default to ''/0/false on the prototype, so "set" means "own property".
  if (hasOwn(v, 'stringValue')) return v.stringValue;
  if (hasOwn(v, 'intValue')) return int64FromLong(v.intValue);
  if (hasOwn(v, 'boolValue')) return v.boolValue;
  if (hasOwn(v, 'doubleValue')) return v.doubleValue;
  if (v.arrayValue !== null) return arrayFromProto(v.arrayValue.values);
  if (v.kvlistValue !== null) return { kvlist: attributesFromProto(v.kvlistValue.values) };
  // A copy: protobufjs returns a view of the request body, which would otherwise stay alive as
  // long as this attribute does.
  if (hasOwn(v, 'bytesValue')) return new Uint8Array(v.bytesValue);
  return null;
}

function arrayFromProto(values: readonly PbAnyValue[]): readonly AnyValue[] {
  const n = values.length;
  if (n === 0) return NONE;
  const out = new Array<AnyValue>(n);
  for (let i = 0; i < n; i++) out[i] = anyValueFromProto(values[i]!);
  return out;
}
