/**
 * pdata → OTLP/JSON text, written directly as a string (no intermediate object tree for
 * `JSON.stringify`). The output matches the Collector's JSON marshaller: lowerCamelCase keys in
 * proto field order, ids as hex, other bytes as base64, 64-bit integers as decimal strings, enums
 * as numbers, default scalars and empty lists left out, while `resource`, `scope`, `status` and
 * `KeyValue.value` are always written.
 */
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
import { locate, within } from './field-error.js';
import { normalizeHexId as hex } from './hex-id.js';
import { checkInt64, checkUint64 } from './int64.js';

/** JSON string literal for `s` (quotes and escapes). */
const quote = JSON.stringify as (s: string) => string;

/** `{"resourceSpans":[...]}`; a `FieldError` locates pdata that cannot be encoded. */
export function tracesToJson(traces: Traces): string {
  if (traces.resourceSpans.length === 0) return '{}';
  return `{"resourceSpans":${list(traces.resourceSpans, 'resourceSpans', resourceSpansToJson)}}`;
}

function resourceSpansToJson(rs: ResourceSpans): string {
  let out = `{"resource":${within('resource', rs.resource, resourceToJson)}`;
  if (rs.scopeSpans.length > 0) {
    out += `,"scopeSpans":${list(rs.scopeSpans, 'scopeSpans', scopeSpansToJson)}`;
  }
  if (rs.schemaUrl !== '') out += `,"schemaUrl":${quote(rs.schemaUrl)}`;
  return `${out}}`;
}

function resourceToJson(r: Resource): string {
  let out = '';
  if (r.attributes.length > 0) out += `,"attributes":${attributesToJson(r.attributes)}`;
  if (r.droppedAttributesCount !== 0) {
    out += `,"droppedAttributesCount":${r.droppedAttributesCount}`;
  }
  return braced(out);
}

function scopeSpansToJson(ss: ScopeSpans): string {
  let out = `{"scope":${within('scope', ss.scope, scopeToJson)}`;
  if (ss.spans.length > 0) out += `,"spans":${list(ss.spans, 'spans', spanToJson)}`;
  if (ss.schemaUrl !== '') out += `,"schemaUrl":${quote(ss.schemaUrl)}`;
  return `${out}}`;
}

function scopeToJson(s: InstrumentationScope): string {
  let out = '';
  if (s.name !== '') out += `,"name":${quote(s.name)}`;
  if (s.version !== '') out += `,"version":${quote(s.version)}`;
  if (s.attributes.length > 0) out += `,"attributes":${attributesToJson(s.attributes)}`;
  if (s.droppedAttributesCount !== 0) {
    out += `,"droppedAttributesCount":${s.droppedAttributesCount}`;
  }
  return braced(out);
}

// Every optional member is written with a trailing comma: `status` always comes last.
function spanToJson(s: Span): string {
  let out = '{';
  if (s.traceId !== '') out += `"traceId":"${hex(s.traceId, 16, 'traceId')}",`;
  if (s.spanId !== '') out += `"spanId":"${hex(s.spanId, 8, 'spanId')}",`;
  if (s.traceState !== '') out += `"traceState":${quote(s.traceState)},`;
  if (s.parentSpanId !== '') out += `"parentSpanId":"${hex(s.parentSpanId, 8, 'parentSpanId')}",`;
  if (s.flags !== 0) out += `"flags":${s.flags},`;
  if (s.name !== '') out += `"name":${quote(s.name)},`;
  if (s.kind !== 0) out += `"kind":${s.kind},`;
  const start = s.startTimeUnixNano;
  if (start !== 0n) out += `"startTimeUnixNano":${time(start, 'startTimeUnixNano')},`;
  const end = s.endTimeUnixNano;
  if (end !== 0n) out += `"endTimeUnixNano":${time(end, 'endTimeUnixNano')},`;
  if (s.attributes.length > 0) out += `"attributes":${attributesToJson(s.attributes)},`;
  const dropped = s.droppedAttributesCount;
  if (dropped !== 0) out += `"droppedAttributesCount":${dropped},`;
  if (s.events.length > 0) out += `"events":${list(s.events, 'events', eventToJson)},`;
  if (s.droppedEventsCount !== 0) out += `"droppedEventsCount":${s.droppedEventsCount},`;
  if (s.links.length > 0) out += `"links":${list(s.links, 'links', linkToJson)},`;
  if (s.droppedLinksCount !== 0) out += `"droppedLinksCount":${s.droppedLinksCount},`;
  return `${out}"status":${statusToJson(s.status)}}`;
}

function eventToJson(e: SpanEvent): string {
  let out = '';
  if (e.timeUnixNano !== 0n) out += `,"timeUnixNano":${time(e.timeUnixNano, 'timeUnixNano')}`;
  if (e.name !== '') out += `,"name":${quote(e.name)}`;
  if (e.attributes.length > 0) out += `,"attributes":${attributesToJson(e.attributes)}`;
  if (e.droppedAttributesCount !== 0) {
    out += `,"droppedAttributesCount":${e.droppedAttributesCount}`;
  }
  return braced(out);
}

function linkToJson(l: SpanLink): string {
  let out = '';
  if (l.traceId !== '') out += `,"traceId":"${hex(l.traceId, 16, 'traceId')}"`;
  if (l.spanId !== '') out += `,"spanId":"${hex(l.spanId, 8, 'spanId')}"`;
  if (l.traceState !== '') out += `,"traceState":${quote(l.traceState)}`;
  if (l.attributes.length > 0) out += `,"attributes":${attributesToJson(l.attributes)}`;
  if (l.droppedAttributesCount !== 0) {
    out += `,"droppedAttributesCount":${l.droppedAttributesCount}`;
  }
  if (l.flags !== 0) out += `,"flags":${l.flags}`;
  return braced(out);
}

function statusToJson(s: Status): string {
  if (s.code === 0 && s.message === '') return '{}';
  let out = '';
  if (s.message !== '') out += `,"message":${quote(s.message)}`;
  if (s.code !== 0) out += `,"code":${s.code}`;
  return braced(out);
}

function attributesToJson(attrs: Attributes): string {
  return keyValuesToJson(attrs, 'attributes');
}

function keyValuesToJson(attrs: Attributes, field: string): string {
  let out = '[';
  for (let i = 0; i < attrs.length; i++) {
    const kv = attrs[i]!;
    if (i > 0) out += ',';
    try {
      out += kv.key === '' ? '{' : `{"key":${quote(kv.key)},`;
      out += `"value":${anyValueToJson(kv.value)}}`;
    } catch (err) {
      throw locate(locate(err, 'value'), field, i);
    }
  }
  return `${out}]`;
}

function anyValueToJson(v: AnyValue): string {
  switch (typeof v) {
    case 'string':
      return `{"stringValue":${quote(v)}}`;
    case 'bigint':
      return `{"intValue":"${checkInt64(v, 'intValue')}"}`;
    case 'boolean':
      return v ? '{"boolValue":true}' : '{"boolValue":false}';
    case 'number':
      return `{"doubleValue":${doubleToJson(v)}}`;
  }
  if (v === null) return '{}';
  if (v instanceof Uint8Array) return `{"bytesValue":"${base64(v)}"}`;
  if (Array.isArray(v)) return `{"arrayValue":${arrayToJson(v)}}`;
  return `{"kvlistValue":${kvlistToJson((v as KeyValueList).kvlist)}}`;
}

function arrayToJson(values: readonly AnyValue[]): string {
  if (values.length === 0) return '{}';
  let out = '{"values":[';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    try {
      out += anyValueToJson(values[i]!);
    } catch (err) {
      throw locate(locate(err, 'values', i), 'arrayValue');
    }
  }
  return `${out}]}`;
}

function kvlistToJson(attrs: Attributes): string {
  if (attrs.length === 0) return '{}';
  try {
    return `{"values":${keyValuesToJson(attrs, 'values')}}`;
  } catch (err) {
    throw locate(err, 'kvlistValue');
  }
}

/** Finite doubles as JSON numbers; the protobuf JSON mapping spells the others as strings. */
function doubleToJson(d: number): string {
  if (Number.isFinite(d)) return String(d);
  if (Number.isNaN(d)) return '"NaN"';
  return d > 0 ? '"Infinity"' : '"-Infinity"';
}

function time(t: bigint, field: string): string {
  return `"${checkUint64(t, field)}"`;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** `{...}` around members that were each written with a leading comma. */
function braced(members: string): string {
  return members === '' ? '{}' : `{${members.slice(1)}}`;
}

function list<T>(items: readonly T[], field: string, write: (item: T) => string): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    try {
      out += write(items[i]!);
    } catch (err) {
      throw locate(err, field, i);
    }
  }
  return `${out}]`;
}
