/**
 * OTLP protobuf bytes → pdata, in one pass over the bytes (no intermediate message objects),
 * with the request limits applied as it goes (`limits.ts`). It is a generator that yields after
 * each span, so a receiver can decode a large request in slices and let the event loop run in
 * between (`pipeline/pacer.ts`); `decodeTracesRequest` runs it to the end at once.
 *
 * As in Go's protobuf: unknown fields are skipped, a known field sent with another wire type is
 * an unknown field, and of a non-repeated field sent twice the last one wins.
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
import { FieldError, locate, NONE } from './field-error.js';
import type { IdSize } from './hex-id.js';
import { type DecodeLimits, NO_LIMITS, Truncations, tooDeep, tooManySpans } from './limits.js';
import { ProtoReader } from './proto-reader.js';
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

/** What one decoding pass carries along. */
interface Ctx {
  readonly r: ProtoReader;
  readonly limits: DecodeLimits;
  readonly cut: Truncations;
  spans: number;
}

/**
 * Decodes an `ExportTraceServiceRequest` (or `TracesData`: the same field 1), yielding after
 * every span. Throws `FieldError` (located) for values OTLP forbids, `ProtoError` for bytes that
 * are not protobuf, and `CollectorError` `ERR_TOO_MANY_SPANS` past `limits.maxSpans`.
 */
export function* tracesFromProto(
  r: ProtoReader,
  limits: DecodeLimits,
  cut: Truncations,
): Generator<void, Traces, undefined> {
  const ctx: Ctx = { r, limits, cut, spans: 0 };
  const resourceSpans: ResourceSpans[] = [];
  while (r.more) {
    const tag = r.tag();
    if (tag !== REQUEST.resourceSpans) {
      r.skip(tag);
      continue;
    }
    const outer = r.enter();
    try {
      resourceSpans.push(yield* readResourceSpans(ctx));
    } catch (err) {
      throw locate(err, 'resourceSpans', resourceSpans.length);
    }
    r.leave(outer);
  }
  return { resourceSpans };
}

function* readResourceSpans(ctx: Ctx): Generator<void, ResourceSpans, undefined> {
  const r = ctx.r;
  let resource = EMPTY_RESOURCE;
  const scopeSpans: ScopeSpans[] = [];
  let schemaUrl = '';
  while (r.more) {
    const tag = r.tag();
    if (tag === RESOURCE_SPANS.resource) {
      const outer = r.enter();
      resource = within('resource', () => readResource(ctx));
      r.leave(outer);
    } else if (tag === RESOURCE_SPANS.scopeSpans) {
      const outer = r.enter();
      try {
        scopeSpans.push(yield* readScopeSpans(ctx));
      } catch (err) {
        throw locate(err, 'scopeSpans', scopeSpans.length);
      }
      r.leave(outer);
    } else if (tag === RESOURCE_SPANS.schemaUrl) schemaUrl = str(ctx);
    else r.skip(tag);
  }
  return { resource, scopeSpans: scopeSpans.length === 0 ? NONE : scopeSpans, schemaUrl };
}

function* readScopeSpans(ctx: Ctx): Generator<void, ScopeSpans, undefined> {
  const r = ctx.r;
  let scope = EMPTY_SCOPE;
  const spans: Span[] = [];
  let schemaUrl = '';
  while (r.more) {
    const tag = r.tag();
    if (tag === SCOPE_SPANS.spans) {
      if (++ctx.spans > ctx.limits.maxSpans) throw tooManySpans(ctx.limits.maxSpans);
      const outer = r.enter();
      try {
        spans.push(readSpan(ctx));
      } catch (err) {
        throw locate(err, 'spans', spans.length);
      }
      r.leave(outer);
      yield;
    } else if (tag === SCOPE_SPANS.scope) {
      const outer = r.enter();
      scope = within('scope', () => readScope(ctx));
      r.leave(outer);
    } else if (tag === SCOPE_SPANS.schemaUrl) schemaUrl = str(ctx);
    else r.skip(tag);
  }
  return { scope, spans: spans.length === 0 ? NONE : spans, schemaUrl };
}

function readResource(ctx: Ctx): Resource {
  const r = ctx.r;
  const attrs = new AttributeList(ctx);
  let dropped = 0;
  while (r.more) {
    const tag = r.tag();
    if (tag === RESOURCE.attributes) attrs.read();
    else if (tag === RESOURCE.droppedAttributesCount) dropped = r.varint32();
    else r.skip(tag);
  }
  if (attrs.empty && dropped === 0) return EMPTY_RESOURCE;
  return { attributes: attrs.list(), droppedAttributesCount: dropped + attrs.dropped };
}

function readScope(ctx: Ctx): InstrumentationScope {
  const r = ctx.r;
  const attrs = new AttributeList(ctx);
  let name = '';
  let version = '';
  let dropped = 0;
  while (r.more) {
    const tag = r.tag();
    if (tag === SCOPE.name) name = str(ctx);
    else if (tag === SCOPE.version) version = str(ctx);
    else if (tag === SCOPE.attributes) attrs.read();
    else if (tag === SCOPE.droppedAttributesCount) dropped = r.varint32();
    else r.skip(tag);
  }
  return {
    name,
    version,
    attributes: attrs.list(),
    droppedAttributesCount: dropped + attrs.dropped,
  };
}

function readSpan(ctx: Ctx): Span {
  const r = ctx.r;
  const attrs = new AttributeList(ctx);
  let traceId = '';
  let spanId = '';
  let parentSpanId = '';
  let traceState = '';
  let flags = 0;
  let name = '';
  let kind: SpanKind = 0;
  let start = 0n;
  let end = 0n;
  let dropped = 0;
  let events: SpanEvent[] | undefined;
  let droppedEvents = 0;
  let links: SpanLink[] | undefined;
  let droppedLinks = 0;
  let status = UNSET_STATUS;
  while (r.more) {
    const tag = r.tag();
    switch (tag) {
      case SPAN.traceId:
        traceId = id(r, 16, 'traceId');
        break;
      case SPAN.spanId:
        spanId = id(r, 8, 'spanId');
        break;
      case SPAN.parentSpanId:
        parentSpanId = id(r, 8, 'parentSpanId');
        break;
      case SPAN.traceState:
        traceState = str(ctx);
        break;
      case SPAN.flags:
        flags = r.fixed32();
        break;
      case SPAN.name:
        name = str(ctx);
        break;
      case SPAN.kind:
        kind = spanKind(r.varint32() | 0);
        break;
      case SPAN.startTimeUnixNano:
        start = r.fixed64();
        break;
      case SPAN.endTimeUnixNano:
        end = r.fixed64();
        break;
      case SPAN.attributes:
        attrs.read();
        break;
      case SPAN.droppedAttributesCount:
        dropped = r.varint32();
        break;
      case SPAN.events: {
        events ??= [];
        const outer = r.enter();
        try {
          events.push(readEvent(ctx));
        } catch (err) {
          throw locate(err, 'events', events.length);
        }
        r.leave(outer);
        break;
      }
      case SPAN.droppedEventsCount:
        droppedEvents = r.varint32();
        break;
      case SPAN.links: {
        links ??= [];
        const outer = r.enter();
        try {
          links.push(readLink(ctx));
        } catch (err) {
          throw locate(err, 'links', links.length);
        }
        r.leave(outer);
        break;
      }
      case SPAN.droppedLinksCount:
        droppedLinks = r.varint32();
        break;
      case SPAN.status: {
        const outer = r.enter();
        status = within('status', () => readStatus(ctx));
        r.leave(outer);
        break;
      }
      default:
        r.skip(tag);
    }
  }
  return {
    traceId,
    spanId,
    parentSpanId,
    traceState,
    flags,
    name,
    kind,
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    attributes: attrs.list(),
    droppedAttributesCount: dropped + attrs.dropped,
    events: events ?? NONE,
    droppedEventsCount: droppedEvents,
    links: links ?? NONE,
    droppedLinksCount: droppedLinks,
    status,
  };
}

function readEvent(ctx: Ctx): SpanEvent {
  const r = ctx.r;
  const attrs = new AttributeList(ctx);
  let time = 0n;
  let name = '';
  let dropped = 0;
  while (r.more) {
    const tag = r.tag();
    if (tag === EVENT.timeUnixNano) time = r.fixed64();
    else if (tag === EVENT.name) name = str(ctx);
    else if (tag === EVENT.attributes) attrs.read();
    else if (tag === EVENT.droppedAttributesCount) dropped = r.varint32();
    else r.skip(tag);
  }
  return {
    timeUnixNano: time,
    name,
    attributes: attrs.list(),
    droppedAttributesCount: dropped + attrs.dropped,
  };
}

function readLink(ctx: Ctx): SpanLink {
  const r = ctx.r;
  const attrs = new AttributeList(ctx);
  let traceId = '';
  let spanId = '';
  let traceState = '';
  let dropped = 0;
  let flags = 0;
  while (r.more) {
    const tag = r.tag();
    if (tag === LINK.traceId) traceId = id(r, 16, 'traceId');
    else if (tag === LINK.spanId) spanId = id(r, 8, 'spanId');
    else if (tag === LINK.traceState) traceState = str(ctx);
    else if (tag === LINK.attributes) attrs.read();
    else if (tag === LINK.droppedAttributesCount) dropped = r.varint32();
    else if (tag === LINK.flags) flags = r.fixed32();
    else r.skip(tag);
  }
  return {
    traceId,
    spanId,
    traceState,
    attributes: attrs.list(),
    droppedAttributesCount: dropped + attrs.dropped,
    flags,
  };
}

function readStatus(ctx: Ctx): Status {
  const r = ctx.r;
  let message = '';
  let code = 0;
  while (r.more) {
    const tag = r.tag();
    if (tag === STATUS.message) message = str(ctx);
    else if (tag === STATUS.code) code = r.varint32() | 0;
    else r.skip(tag);
  }
  if (code === 0 && message === '') return UNSET_STATUS;
  if (code !== 0 && code !== 1 && code !== 2) {
    throw new FieldError('code', `expected a StatusCode (0, 1 or 2), got ${code}`);
  }
  return { code: code as StatusCode, message };
}

/**
 * The attributes of one span (event, link, resource, scope) as they are read; those past
 * `maxAttributes` are skipped undecoded and counted as dropped.
 */
class AttributeList {
  private readonly items: KeyValue[] = [];
  dropped = 0;

  constructor(private readonly ctx: Ctx) {}

  get empty(): boolean {
    return this.items.length === 0;
  }

  read(): void {
    const r = this.ctx.r;
    if (this.items.length >= this.ctx.limits.maxAttributes) {
      r.pos = r.lengthEnd();
      this.dropped++;
      this.ctx.cut.attributes++;
      return;
    }
    const outer = r.enter();
    try {
      this.items.push(readKeyValue(this.ctx, 0));
    } catch (err) {
      throw locate(err, 'attributes', this.items.length);
    }
    r.leave(outer);
  }

  list(): Attributes {
    return this.items.length === 0 ? NONE : this.items;
  }
}

function readKeyValue(ctx: Ctx, depth: number): KeyValue {
  const r = ctx.r;
  let key = '';
  let value: AnyValue = null;
  while (r.more) {
    const tag = r.tag();
    if (tag === KEY_VALUE.key) key = str(ctx);
    else if (tag === KEY_VALUE.value) {
      const outer = r.enter();
      value = within('value', () => readAnyValue(ctx, depth));
      r.leave(outer);
    } else r.skip(tag);
  }
  return { key, value };
}

function readAnyValue(ctx: Ctx, depth: number): AnyValue {
  const r = ctx.r;
  let value: AnyValue = null;
  // A oneof: the last member on the wire wins, as in protobuf.
  while (r.more) {
    const tag = r.tag();
    switch (tag) {
      case ANY_VALUE.stringValue:
        value = str(ctx);
        break;
      case ANY_VALUE.boolValue:
        value = r.varint32() !== 0;
        break;
      case ANY_VALUE.intValue:
        value = r.varint64();
        break;
      case ANY_VALUE.doubleValue:
        value = r.double();
        break;
      case ANY_VALUE.bytesValue:
        value = r.bytes(ctx.limits.maxValueLength, () => ctx.cut.values++);
        break;
      case ANY_VALUE.arrayValue:
      case ANY_VALUE.kvlistValue: {
        if (depth >= ctx.limits.maxDepth) throw new FieldError('', tooDeep(ctx.limits.maxDepth));
        const outer = r.enter();
        value =
          tag === ANY_VALUE.arrayValue
            ? within('arrayValue', () => readArray(ctx, depth + 1))
            : { kvlist: within('kvlistValue', () => readKvList(ctx, depth + 1)) };
        r.leave(outer);
        break;
      }
      default:
        r.skip(tag);
    }
  }
  return value;
}

function readArray(ctx: Ctx, depth: number): readonly AnyValue[] {
  return readElements(ctx, depth, ARRAY_VALUE.values, readAnyValue);
}

function readKvList(ctx: Ctx, depth: number): Attributes {
  return readElements(ctx, depth, KEY_VALUE_LIST.values, readKeyValue);
}

/** The `tag` elements of an array or kvlist value, past `maxArrayLength` cut (and counted). */
function readElements<T>(
  ctx: Ctx,
  depth: number,
  tag: number,
  readOne: (ctx: Ctx, depth: number) => T,
): readonly T[] {
  const r = ctx.r;
  const out: T[] = [];
  let cut = false;
  while (r.more) {
    const t = r.tag();
    if (t !== tag) {
      r.skip(t);
      continue;
    }
    if (out.length >= ctx.limits.maxArrayLength) {
      r.pos = r.lengthEnd();
      cut = true;
      continue;
    }
    const outer = r.enter();
    try {
      out.push(readOne(ctx, depth));
    } catch (err) {
      throw locate(err, 'values', out.length);
    }
    r.leave(outer);
  }
  if (cut) ctx.cut.arrays++;
  return out.length === 0 ? NONE : out;
}

function str(ctx: Ctx): string {
  return ctx.r.string(ctx.limits.maxValueLength, () => ctx.cut.values++);
}

function id(r: ProtoReader, size: IdSize, field: string): string {
  const { hex, length } = r.hex();
  if (length === size) return hex;
  if (length === 0) return '';
  throw new FieldError(field, `expected ${size} bytes, got ${length}`);
}

function spanKind(kind: number): SpanKind {
  if (kind >= 0 && kind <= 5) return kind as SpanKind;
  throw new FieldError('kind', `expected a SpanKind (0 to 5), got ${kind}`);
}

/** `read()`, with an error located at `field`. */
function within<T>(field: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw locate(err, field);
  }
}

/**
 * Decodes one message out of a request already checked (`proto-scan.ts`) or written by the
 * collector: the span, resource, scope or attribute value whose content is `bytes[start, end)`,
 * without limits. For code that works on a batch in its wire form and needs one part decoded.
 */
export function decodeAt<T extends 'span' | 'resource' | 'scope' | 'value'>(
  what: T,
  bytes: Uint8Array,
  start: number,
  end: number,
): { span: Span; resource: Resource; scope: InstrumentationScope; value: AnyValue }[T] {
  const r = new ProtoReader(bytes);
  r.pos = start;
  r.end = end;
  const ctx: Ctx = { r, limits: NO_LIMITS, cut: new Truncations(), spans: 0 };
  switch (what) {
    case 'span':
      return readSpan(ctx) as never;
    case 'resource':
      return readResource(ctx) as never;
    case 'scope':
      return readScope(ctx) as never;
    default:
      return readAnyValue(ctx, 0) as never;
  }
}
