/**
 * pdata → OTLP/protobuf bytes, written straight from pdata by `ReverseWriter` with the tags of
 * `proto-tags.ts`. Output is canonical proto3: fields in field-number order, scalars at their
 * default left out, while `resource`, `scope`, `status` and every `KeyValue.value` are always
 * written, as the Collector writes them (they are non-nullable in its pdata). protobufjs encodes
 * the same data to the same bytes (see the tests).
 *
 * Fields are written last-first (see `proto-writer.ts`), so each function below lists them in
 * descending field number.
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
import { varintSize, writeVarint } from '../pdata/wire-traces.js';
import { copyBytes } from './copy-bytes.js';
import { locate } from './field-error.js';
import { badHexId, type IdSize } from './hex-id.js';
import { checkInt64, checkUint64 } from './int64.js';
import {
  ANY_VALUE,
  ARRAY_VALUE,
  EVENT,
  KEY_VALUE,
  KEY_VALUE_LIST,
  LINK,
  REQUEST,
  RESOURCE,
  RESOURCE_SPANS,
  SCOPE,
  SCOPE_SPANS,
  SPAN,
  STATUS,
} from './proto-tags.js';
import { ReverseWriter } from './proto-writer.js';

// One scratch writer for all calls: encoding is synchronous, so calls never interleave. It keeps
// the largest buffer it needed (up to 8 MiB), so steady traffic allocates only the output copy;
// a larger one is dropped as soon as its output is copied.
const w = new ReverseWriter(64 * 1024);
const MAX_RETAINED = 8 * 1024 * 1024;

/** `traces` as an `ExportTraceServiceRequest`; a `FieldError` locates invalid pdata. */
export function tracesToProto(traces: Traces): Uint8Array {
  w.reset(MAX_RETAINED);
  repeated(traces.resourceSpans, 'resourceSpans', REQUEST.resourceSpans, writeResourceSpans);
  const out = w.finish();
  w.reset(MAX_RETAINED);
  return out;
}

/**
 * An `ExportTraceServiceRequest` of one empty resource and one empty scope holding `spans` in
 * order, each given as pdata or as the bytes of its message (the content, without tag and
 * length): the same bytes `tracesToProto` writes for `makeTraces(spans)` when all are pdata.
 */
export function spansToProto(spans: ReadonlyArray<Span | Uint8Array>): Uint8Array {
  if (spans.every((s) => s instanceof Uint8Array)) return messagesToProto(spans as Uint8Array[]);
  w.reset(MAX_RETAINED);
  for (let i = spans.length - 1; i >= 0; i--) {
    const span = spans[i]!;
    const mark = w.length;
    if (span instanceof Uint8Array) w.bytes(span);
    else {
      try {
        writeSpan(span);
      } catch (err) {
        throw locate(locate(err, 'spans', i), 'resourceSpans[0].scopeSpans[0]');
      }
    }
    w.close(mark, SCOPE_SPANS.spans);
  }
  w.close(w.length, SCOPE_SPANS.scope);
  w.close(0, RESOURCE_SPANS.scopeSpans);
  w.close(w.length, RESOURCE_SPANS.resource);
  w.close(0, REQUEST.resourceSpans);
  return w.finish();
}

/** `spansToProto` for spans all given as bytes: one buffer of the exact size, one copy of each. */
function messagesToProto(messages: readonly Uint8Array[]): Uint8Array {
  let spans = 0;
  for (const m of messages) spans += 1 + varintSize(m.length) + m.length;
  const scopeSpans = 2 + spans;
  const resourceSpans = 2 + 1 + varintSize(scopeSpans) + scopeSpans;
  const out = Buffer.allocUnsafeSlow(1 + varintSize(resourceSpans) + resourceSpans);
  let p = 0;
  out[p++] = REQUEST.resourceSpans;
  p = writeVarint(out, p, resourceSpans);
  out[p++] = RESOURCE_SPANS.resource;
  out[p++] = 0;
  out[p++] = RESOURCE_SPANS.scopeSpans;
  p = writeVarint(out, p, scopeSpans);
  out[p++] = SCOPE_SPANS.scope;
  out[p++] = 0;
  for (const m of messages) {
    out[p++] = SCOPE_SPANS.spans;
    p = writeVarint(out, p, m.length);
    p = copyBytes(m, 0, m.length, out, p);
  }
  return out;
}

function writeResourceSpans(rs: ResourceSpans): void {
  if (rs.schemaUrl !== '') string(RESOURCE_SPANS.schemaUrl, rs.schemaUrl);
  repeated(rs.scopeSpans, 'scopeSpans', RESOURCE_SPANS.scopeSpans, writeScopeSpans);
  message(RESOURCE_SPANS.resource, 'resource', rs.resource, writeResource);
}

function writeResource(r: Resource): void {
  uint32(RESOURCE.droppedAttributesCount, r.droppedAttributesCount);
  keyValues(r.attributes, 'attributes', RESOURCE.attributes);
}

function writeScopeSpans(ss: ScopeSpans): void {
  if (ss.schemaUrl !== '') string(SCOPE_SPANS.schemaUrl, ss.schemaUrl);
  repeated(ss.spans, 'spans', SCOPE_SPANS.spans, writeSpan);
  message(SCOPE_SPANS.scope, 'scope', ss.scope, writeScope);
}

function writeScope(s: InstrumentationScope): void {
  uint32(SCOPE.droppedAttributesCount, s.droppedAttributesCount);
  keyValues(s.attributes, 'attributes', SCOPE.attributes);
  if (s.version !== '') string(SCOPE.version, s.version);
  if (s.name !== '') string(SCOPE.name, s.name);
}

function writeSpan(s: Span): void {
  if (s.flags !== 0) {
    w.fixed32(s.flags);
    w.uint32(SPAN.flags);
  }
  message(SPAN.status, 'status', s.status, writeStatus);
  uint32(SPAN.droppedLinksCount, s.droppedLinksCount);
  repeated(s.links, 'links', SPAN.links, writeLink);
  uint32(SPAN.droppedEventsCount, s.droppedEventsCount);
  repeated(s.events, 'events', SPAN.events, writeEvent);
  uint32(SPAN.droppedAttributesCount, s.droppedAttributesCount);
  keyValues(s.attributes, 'attributes', SPAN.attributes);
  time(SPAN.endTimeUnixNano, s.endTimeUnixNano, 'endTimeUnixNano');
  time(SPAN.startTimeUnixNano, s.startTimeUnixNano, 'startTimeUnixNano');
  uint32(SPAN.kind, s.kind);
  if (s.name !== '') string(SPAN.name, s.name);
  id(SPAN.parentSpanId, s.parentSpanId, 8, 'parentSpanId');
  if (s.traceState !== '') string(SPAN.traceState, s.traceState);
  id(SPAN.spanId, s.spanId, 8, 'spanId');
  id(SPAN.traceId, s.traceId, 16, 'traceId');
}

function writeEvent(e: SpanEvent): void {
  uint32(EVENT.droppedAttributesCount, e.droppedAttributesCount);
  keyValues(e.attributes, 'attributes', EVENT.attributes);
  if (e.name !== '') string(EVENT.name, e.name);
  time(EVENT.timeUnixNano, e.timeUnixNano, 'timeUnixNano');
}

function writeLink(l: SpanLink): void {
  if (l.flags !== 0) {
    w.fixed32(l.flags);
    w.uint32(LINK.flags);
  }
  uint32(LINK.droppedAttributesCount, l.droppedAttributesCount);
  keyValues(l.attributes, 'attributes', LINK.attributes);
  if (l.traceState !== '') string(LINK.traceState, l.traceState);
  id(LINK.spanId, l.spanId, 8, 'spanId');
  id(LINK.traceId, l.traceId, 16, 'traceId');
}

function writeStatus(s: Status): void {
  uint32(STATUS.code, s.code);
  if (s.message !== '') string(STATUS.message, s.message);
}

function keyValues(attrs: Attributes, field: string, tag: number): void {
  for (let i = attrs.length - 1; i >= 0; i--) {
    const kv = attrs[i]!;
    const mark = w.length;
    try {
      const valueMark = w.length;
      writeAnyValue(kv.value);
      w.close(valueMark, KEY_VALUE.value);
    } catch (err) {
      throw locate(locate(err, 'value'), field, i);
    }
    if (kv.key !== '') string(KEY_VALUE.key, kv.key);
    w.close(mark, tag);
  }
}

function writeAnyValue(v: AnyValue): void {
  switch (typeof v) {
    case 'string':
      // Written even when empty: a oneof member is present or absent, never defaulted.
      string(ANY_VALUE.stringValue, v);
      return;
    case 'bigint':
      int64(v);
      w.uint32(ANY_VALUE.intValue);
      return;
    case 'boolean':
      w.bool(v);
      w.uint32(ANY_VALUE.boolValue);
      return;
    case 'number':
      w.double(v);
      w.uint32(ANY_VALUE.doubleValue);
      return;
  }
  if (v === null) return;
  const mark = w.length;
  if (v instanceof Uint8Array) {
    w.bytes(v);
    w.close(mark, ANY_VALUE.bytesValue);
  } else if (Array.isArray(v)) {
    arrayValues(v);
    w.close(mark, ANY_VALUE.arrayValue);
  } else {
    try {
      keyValues((v as KeyValueList).kvlist, 'values', KEY_VALUE_LIST.values);
    } catch (err) {
      throw locate(err, 'kvlistValue');
    }
    w.close(mark, ANY_VALUE.kvlistValue);
  }
}

function arrayValues(values: readonly AnyValue[]): void {
  for (let i = values.length - 1; i >= 0; i--) {
    const mark = w.length;
    try {
      writeAnyValue(values[i]!);
    } catch (err) {
      throw locate(locate(err, 'values', i), 'arrayValue');
    }
    w.close(mark, ARRAY_VALUE.values);
  }
}

// Scratch for splitting a negative or large int64 into the halves a varint is written from.
const halves = new DataView(new ArrayBuffer(8));

function int64(v: bigint): void {
  if (v >= 0n && v <= 0xffff_ffffn) {
    w.uint32(Number(v));
    return;
  }
  halves.setBigInt64(0, checkInt64(v, 'intValue'), true);
  w.uint64(halves.getUint32(0, true), halves.getUint32(4, true));
}

function message<T>(tag: number, field: string, item: T, write: (item: T) => void): void {
  const mark = w.length;
  try {
    write(item);
  } catch (err) {
    throw locate(err, field);
  }
  w.close(mark, tag);
}

function repeated<T>(items: readonly T[], field: string, tag: number, write: (item: T) => void) {
  for (let i = items.length - 1; i >= 0; i--) {
    const mark = w.length;
    try {
      write(items[i]!);
    } catch (err) {
      throw locate(err, field, i);
    }
    w.close(mark, tag);
  }
}

function string(tag: number, s: string): void {
  const mark = w.length;
  w.string(s);
  w.close(mark, tag);
}

/** A uint32 or enum field, left out at 0. */
function uint32(tag: number, v: number): void {
  if (v === 0) return;
  w.uint32(v);
  w.uint32(tag);
}

/** A fixed64 time, left out at 0. */
function time(tag: number, t: bigint, field: string): void {
  if (t === 0n) return;
  w.fixed64(checkUint64(t, field));
  w.uint32(tag);
}

/** A trace or span id, left out when empty. */
function id(tag: number, hex: string, size: IdSize, field: string): void {
  if (hex === '') return;
  if (hex.length !== size * 2 || !w.hex(hex, size)) throw badHexId(hex, size, field);
  w.uint32(size);
  w.uint32(tag);
}
