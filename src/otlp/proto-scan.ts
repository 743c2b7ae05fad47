/**
 * A pass over an OTLP `ExportTraceServiceRequest` that decodes nothing: it checks everything the
 * decoder (`proto-to-pdata.ts`) checks and finds where each span sits, so a batch can travel as
 * its bytes (`pdata/wire-traces.ts`) and be decoded only where something reads its spans.
 *
 * It accepts only requests the decoder turns into pdata that encode back to the same spans: valid
 * protobuf with the expected wire type for every field, no unknown field, no singular field twice,
 * ids of 16 and 8 bytes, span kinds and status codes in range, strings valid UTF-8, and nothing a
 * request limit would cut or refuse. Anything else is left to the decoder (`undefined`), which
 * gives the same answer it always gave (a 400 with its path, a cut value counted, a 413).
 */
import { isUtf8 } from 'node:buffer';
import { SpanTable, type WireGroup, type WireResource } from '../pdata/wire-traces.js';
import { unpaced } from '../pipeline/pacer.js';
import type { DecodeLimits } from './limits.js';
import { ProtoError, ProtoReader } from './proto-reader.js';
import {
  ANY_VALUE,
  ARRAY_VALUE,
  EVENT,
  KEY_VALUE,
  LINK,
  REQUEST,
  RESOURCE,
  RESOURCE_SPANS,
  SCOPE,
  SCOPE_SPANS,
  SPAN,
  STATUS,
} from './proto-tags.js';

/** Thrown inside the scan when the request is not one it takes; never escapes. */
class NotPlain extends Error {}
const NOT_PLAIN = new NotPlain();

/** What the scan learnt: span positions and their resource/scope groups. */
export interface ScannedRequest {
  readonly spans: SpanTable;
  readonly groups: readonly WireGroup[];
}

/** Scans at once (for small inputs and stored batches); `undefined` as `scanTraces`. */
export function scanTracesRequest(bytes: Buffer, limits: DecodeLimits): ScannedRequest | undefined {
  return unpaced(scanTraces(bytes, limits));
}

/**
 * Scans a request, yielding after each span (for `pipeline/pacer.ts`). Returns `undefined` when
 * the request must go through the decoder instead (see the module comment).
 */
export function* scanTraces(
  bytes: Buffer,
  limits: DecodeLimits,
): Generator<void, ScannedRequest | undefined, undefined> {
  const s = new Scan(bytes, limits);
  const r = s.r;
  try {
    while (r.more) {
      if (r.tag() !== REQUEST.resourceSpans) throw NOT_PLAIN;
      const outer = r.enter();
      yield* s.resourceSpans();
      r.leave(outer);
    }
  } catch (err) {
    if (err instanceof NotPlain || err instanceof ProtoError) return undefined;
    throw err;
  }
  return { spans: s.spans, groups: s.groups };
}

/** Bits of singular fields seen in the message being read, to refuse one sent twice. */
function once(seen: number, bit: number): number {
  if (seen & bit) throw NOT_PLAIN;
  return seen | bit;
}

class Scan {
  readonly r: ProtoReader;
  readonly spans = new SpanTable(64);
  readonly groups: WireGroup[] = [];
  private readonly buf: Buffer;
  private resources = 0;

  constructor(
    bytes: Buffer,
    private readonly limits: DecodeLimits,
  ) {
    this.r = new ProtoReader(bytes);
    this.buf = bytes;
  }

  *resourceSpans(): Generator<void, void, undefined> {
    const r = this.r;
    const resource: WireResource = {
      index: this.resources++,
      resource: NO_RANGE,
      schemaUrl: NO_RANGE,
    };
    let seen = 0;
    while (r.more) {
      const at = r.pos;
      const tag = r.tag();
      if (tag === RESOURCE_SPANS.scopeSpans) {
        const outer = r.enter();
        yield* this.scopeSpans(resource);
        r.leave(outer);
      } else if (tag === RESOURCE_SPANS.resource) {
        seen = once(seen, 1);
        const outer = r.enter();
        this.resource();
        r.leave(outer);
        resource.resource = [at, r.pos];
      } else if (tag === RESOURCE_SPANS.schemaUrl) {
        seen = once(seen, 2);
        this.string();
        resource.schemaUrl = [at, r.pos];
      } else throw NOT_PLAIN;
    }
  }

  private *scopeSpans(resource: WireResource): Generator<void, void, undefined> {
    const r = this.r;
    const group: WireGroup = { resource, scope: NO_RANGE, schemaUrl: NO_RANGE };
    const index = this.groups.length;
    this.groups.push(group);
    let seen = 0;
    while (r.more) {
      const at = r.pos;
      const tag = r.tag();
      if (tag === SCOPE_SPANS.spans) {
        if (this.spans.count >= this.limits.maxSpans) throw NOT_PLAIN;
        const end = r.lengthEnd();
        this.span(index, r.pos, end);
        r.pos = end;
        yield;
      } else if (tag === SCOPE_SPANS.scope) {
        seen = once(seen, 1);
        const outer = r.enter();
        this.scope();
        r.leave(outer);
        group.scope = [at, r.pos];
      } else if (tag === SCOPE_SPANS.schemaUrl) {
        seen = once(seen, 2);
        this.string();
        group.schemaUrl = [at, r.pos];
      } else throw NOT_PLAIN;
    }
  }

  private resource(): void {
    const r = this.r;
    let attributes = 0;
    let seen = 0;
    while (r.more) {
      const tag = r.tag();
      if (tag === RESOURCE.attributes) attributes = this.keyValue(attributes, 0);
      else if (tag === RESOURCE.droppedAttributesCount) {
        seen = once(seen, 1);
        r.varint32();
      } else throw NOT_PLAIN;
    }
  }

  private scope(): void {
    const r = this.r;
    let attributes = 0;
    let seen = 0;
    while (r.more) {
      const tag = r.tag();
      if (tag === SCOPE.attributes) attributes = this.keyValue(attributes, 0);
      else if (tag === SCOPE.name) {
        seen = once(seen, 1);
        this.string();
      } else if (tag === SCOPE.version) {
        seen = once(seen, 2);
        this.string();
      } else if (tag === SCOPE.droppedAttributesCount) {
        seen = once(seen, 4);
        r.varint32();
      } else throw NOT_PLAIN;
    }
  }

  /** One span, whose content is `[start, end)`. */
  private span(group: number, start: number, end: number): void {
    const r = this.r;
    const outer = r.end;
    r.end = end;
    let seen = 0;
    let attributes = 0;
    let traceAt = 0;
    let spanAt = 0;
    let parentAt = 0;
    let timeAt = 0;
    this.marks = 0;
    while (r.more) {
      const tag = r.tag();
      const field = tag < 256 ? SPAN_FIELD[tag]! : 0;
      // Each singular field once: its bit in `seen`.
      if (field !== F_ATTRIBUTES && field !== F_EVENTS && field !== F_LINKS) {
        if (field === 0 || seen & (1 << field)) throw NOT_PLAIN;
        seen |= 1 << field;
      }
      switch (field) {
        case F_TRACE_ID:
          traceAt = this.id(16) - start;
          break;
        case F_SPAN_ID:
          spanAt = this.id(8) - start;
          break;
        case F_PARENT_SPAN_ID: {
          const len = r.varint32();
          if (len === 8) parentAt = r.pos - start;
          else if (len !== 0) throw NOT_PLAIN;
          this.advance(len);
          break;
        }
        case F_TRACE_STATE:
        case F_NAME:
          this.string();
          break;
        case F_KIND: {
          const kind = r.varint32() | 0;
          if (kind < 0 || kind > 5) throw NOT_PLAIN;
          break;
        }
        case F_START:
          timeAt = r.pos - start;
          this.advance(8);
          break;
        case F_END:
          this.advance(8);
          break;
        case F_ATTRIBUTES:
          attributes = this.keyValue(attributes, 0, true);
          break;
        case F_EVENTS: {
          const o = r.enter();
          this.event();
          r.leave(o);
          break;
        }
        case F_LINKS: {
          const o = r.enter();
          this.link();
          r.leave(o);
          break;
        }
        case F_STATUS: {
          const o = r.enter();
          this.status();
          r.leave(o);
          break;
        }
        case F_FLAGS:
          this.advance(4);
          break;
        default:
          // the dropped counts
          r.varint32();
      }
    }
    if (traceAt === 0 || spanAt === 0) throw NOT_PLAIN;
    r.end = outer;
    this.spans.push(start, end, group, traceAt, spanAt, parentAt, timeAt, this.marks);
  }

  /** Marks of the span being scanned (`SpanTable` marks). */
  private marks = 0;

  private event(): void {
    const r = this.r;
    let seen = 0;
    let attributes = 0;
    while (r.more) {
      const tag = r.tag();
      if (tag === EVENT.attributes) attributes = this.keyValue(attributes, 0);
      else if (tag === EVENT.timeUnixNano) {
        seen = once(seen, 1);
        this.advance(8);
      } else if (tag === EVENT.name) {
        seen = once(seen, 2);
        this.string();
      } else if (tag === EVENT.droppedAttributesCount) {
        seen = once(seen, 4);
        r.varint32();
      } else throw NOT_PLAIN;
    }
  }

  private link(): void {
    const r = this.r;
    let seen = 0;
    let attributes = 0;
    while (r.more) {
      const tag = r.tag();
      if (tag === LINK.attributes) attributes = this.keyValue(attributes, 0);
      else if (tag === LINK.traceId) {
        seen = once(seen, 1);
        this.optionalId(16);
      } else if (tag === LINK.spanId) {
        seen = once(seen, 2);
        this.optionalId(8);
      } else if (tag === LINK.traceState) {
        seen = once(seen, 4);
        this.string();
      } else if (tag === LINK.droppedAttributesCount) {
        seen = once(seen, 8);
        r.varint32();
      } else if (tag === LINK.flags) {
        seen = once(seen, 16);
        this.advance(4);
      } else throw NOT_PLAIN;
    }
  }

  private status(): void {
    const r = this.r;
    let seen = 0;
    while (r.more) {
      const tag = r.tag();
      if (tag === STATUS.message) {
        seen = once(seen, 1);
        this.string();
      } else if (tag === STATUS.code) {
        seen = once(seen, 2);
        const code = r.varint32() | 0;
        if (code < 0 || code > 2) throw NOT_PLAIN;
      } else throw NOT_PLAIN;
    }
  }

  /**
   * One `KeyValue` field of a list that holds `count` so far; returns the new count. On a span
   * (`onSpan`), a key starting with `opik.` marks it.
   */
  private keyValue(count: number, depth: number, onSpan = false): number {
    if (count >= (depth === 0 ? this.limits.maxAttributes : this.limits.maxArrayLength)) {
      throw NOT_PLAIN;
    }
    const r = this.r;
    const outer = r.enter();
    let seen = 0;
    while (r.more) {
      const tag = r.tag();
      if (tag === KEY_VALUE.key) {
        seen = once(seen, 1);
        const start = this.string();
        if (onSpan && isOpikKey(this.buf, start, r.pos)) this.marks |= OPIK_KEY;
      } else if (tag === KEY_VALUE.value) {
        seen = once(seen, 2);
        const valueOuter = r.enter();
        this.anyValue(depth);
        r.leave(valueOuter);
      } else throw NOT_PLAIN;
    }
    r.leave(outer);
    return count + 1;
  }

  private anyValue(depth: number): void {
    const r = this.r;
    let seen = false;
    while (r.more) {
      const tag = r.tag();
      if (seen) throw NOT_PLAIN;
      seen = true;
      switch (tag) {
        case ANY_VALUE.stringValue:
          this.string();
          break;
        case ANY_VALUE.boolValue:
        case ANY_VALUE.intValue:
          r.varint32();
          break;
        case ANY_VALUE.doubleValue:
          this.advance(8);
          break;
        case ANY_VALUE.bytesValue: {
          const len = r.varint32();
          if (len > this.limits.maxValueLength) throw NOT_PLAIN;
          this.advance(len);
          break;
        }
        case ANY_VALUE.arrayValue:
        case ANY_VALUE.kvlistValue: {
          if (depth >= this.limits.maxDepth) throw NOT_PLAIN;
          const outer = r.enter();
          let count = 0;
          while (r.more) {
            if (r.tag() !== ARRAY_VALUE.values) throw NOT_PLAIN;
            if (tag === ANY_VALUE.kvlistValue) count = this.keyValue(count, depth + 1);
            else {
              if (count++ >= this.limits.maxArrayLength) throw NOT_PLAIN;
              const itemOuter = r.enter();
              this.anyValue(depth + 1);
              r.leave(itemOuter);
            }
          }
          r.leave(outer);
          break;
        }
        default:
          throw NOT_PLAIN;
      }
    }
  }

  /** A string field's content checked (length limit, UTF-8); returns where it starts. */
  private string(): number {
    const r = this.r;
    const end = r.lengthEnd();
    const start = r.pos;
    if (end - start > this.limits.maxValueLength || !validUtf8(this.buf, start, end)) {
      throw NOT_PLAIN;
    }
    r.pos = end;
    return start;
  }

  /** An id of exactly `size` bytes; returns where it starts. */
  private id(size: number): number {
    const r = this.r;
    if (r.varint32() !== size) throw NOT_PLAIN;
    const at = r.pos;
    this.advance(size);
    return at;
  }

  private optionalId(size: number): void {
    const len = this.r.varint32();
    if (len !== 0 && len !== size) throw NOT_PLAIN;
    this.advance(len);
  }

  private advance(n: number): void {
    const r = this.r;
    if (r.pos + n > r.end) throw NOT_PLAIN;
    r.pos += n;
  }
}

const NO_RANGE: readonly [number, number] = [0, 0];

// Span fields as small numbers, from their tags (read from the schema in proto-tags.ts).
const F_TRACE_ID = 1;
const F_SPAN_ID = 2;
const F_TRACE_STATE = 3;
const F_PARENT_SPAN_ID = 4;
const F_NAME = 5;
const F_KIND = 6;
const F_START = 7;
const F_END = 8;
const F_ATTRIBUTES = 9;
const F_DROPPED_ATTRIBUTES = 10;
const F_EVENTS = 11;
const F_DROPPED_EVENTS = 12;
const F_LINKS = 13;
const F_DROPPED_LINKS = 14;
const F_STATUS = 15;
const F_FLAGS = 16;
const SPAN_FIELD = new Uint8Array(256);
for (const [name, field] of [
  ['traceId', F_TRACE_ID],
  ['spanId', F_SPAN_ID],
  ['traceState', F_TRACE_STATE],
  ['parentSpanId', F_PARENT_SPAN_ID],
  ['name', F_NAME],
  ['kind', F_KIND],
  ['startTimeUnixNano', F_START],
  ['endTimeUnixNano', F_END],
  ['attributes', F_ATTRIBUTES],
  ['droppedAttributesCount', F_DROPPED_ATTRIBUTES],
  ['events', F_EVENTS],
  ['droppedEventsCount', F_DROPPED_EVENTS],
  ['links', F_LINKS],
  ['droppedLinksCount', F_DROPPED_LINKS],
  ['status', F_STATUS],
  ['flags', F_FLAGS],
] as const) {
  SPAN_FIELD[SPAN[name]] = field;
}

/** Span mark: an attribute whose key starts with `opik.` (the exporter's own vocabulary). */
export const OPIK_KEY = 1;

const OPIK_PREFIX = Buffer.from('opik.');

function isOpikKey(buf: Buffer, start: number, end: number): boolean {
  if (end - start < 5) return false;
  for (let i = 0; i < 5; i++) if (buf[start + i] !== OPIK_PREFIX[i]) return false;
  return true;
}

/** True when `buf[start, end)` is valid UTF-8 (ASCII checked here, the rest natively). */
export function validUtf8(buf: Buffer, start: number, end: number): boolean {
  if (end - start < 32) {
    let i = start;
    while (i < end && buf[i]! < 0x80) i++;
    if (i === end) return true;
  }
  return isUtf8(buf.subarray(start, end));
}
