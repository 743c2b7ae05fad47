import { CollectorError } from '../errors/errors.js';
import type {
  AnyValue,
  Attributes,
  InstrumentationScope,
  Resource,
  ResourceSpans,
  ScopeSpans,
  Span,
  Traces,
} from '../pdata/traces.js';

/**
 * Bounds on what one request may make the collector do, applied while it is decoded: spans per
 * request, attributes per span (and per event, link, resource and scope), string length, array
 * length and value nesting. What exceeds a count or a length is cut and counted, as the OTel SDKs
 * cut what exceeds their span limits; too many spans or too deep a value refuse the request.
 */
export interface DecodeLimits {
  /** More spans refuse the request (`ERR_TOO_MANY_SPANS`). */
  readonly maxSpans: number;
  /** Attributes past this many are dropped and added to `dropped_attributes_count`. */
  readonly maxAttributes: number;
  /** Strings (attribute values and keys, names) and bytes values are cut to this many characters/bytes. */
  readonly maxValueLength: number;
  /** Array and key-value-list values keep this many elements. */
  readonly maxArrayLength: number;
  /** Values nested deeper (arrays and maps inside values) refuse the request. */
  readonly maxDepth: number;
}

/**
 * No truncation: for data that passed a receiver's limits already (a queue reading back what it
 * stored). The depth bound stays: it is what keeps recursive code off the stack's edge.
 */
export const NO_LIMITS: DecodeLimits = {
  maxSpans: Number.POSITIVE_INFINITY,
  maxAttributes: Number.POSITIVE_INFINITY,
  maxValueLength: Number.POSITIVE_INFINITY,
  maxArrayLength: Number.POSITIVE_INFINITY,
  maxDepth: 128,
};

/** What was cut while decoding one request, by limit: the receiver counts these in a metric. */
export class Truncations {
  attributes = 0;
  values = 0;
  arrays = 0;

  get any(): boolean {
    return this.attributes + this.values + this.arrays > 0;
  }
}

/** `s` cut to `max` UTF-16 units, never splitting a surrogate pair. */
export function cutString(s: string, max: number): string {
  if (s.length <= max) return s;
  const code = s.charCodeAt(max - 1);
  return s.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/** The message when a value nests deeper than `maxDepth`. */
export function tooDeep(maxDepth: number): string {
  return `nested deeper than ${maxDepth} levels (limits::max_depth)`;
}

/** The refusal when a request holds more spans than `limits::max_spans_per_request`. */
export function tooManySpans(max: number): CollectorError {
  return new CollectorError(
    'ERR_TOO_MANY_SPANS',
    `the request holds more than ${max} spans (limits::max_spans_per_request); send smaller batches`,
  );
}

/**
 * The limits applied to decoded traces (the JSON receivers'; the protobuf decoder applies them
 * as it reads): attribute lists, strings, bytes and arrays cut, counted in `cut`. Yields after
 * each span; returns the input itself when nothing was cut.
 */
export function* limitTraces(
  traces: Traces,
  limits: DecodeLimits,
  cut: Truncations,
): Generator<void, Traces, undefined> {
  const l = new Limiter(limits, cut);
  let changed = false;
  const resourceSpans: ResourceSpans[] = [];
  for (const rs of traces.resourceSpans) {
    const resource = l.resource(rs.resource);
    let rsChanged = resource !== rs.resource;
    const scopeSpans: ScopeSpans[] = [];
    for (const ss of rs.scopeSpans) {
      const scope = l.scope(ss.scope);
      let ssChanged = scope !== ss.scope;
      const spans: Span[] = [];
      for (const span of ss.spans) {
        const out = l.span(span);
        if (out !== span) ssChanged = true;
        spans.push(out);
        yield;
      }
      scopeSpans.push(ssChanged ? { ...ss, scope, spans } : ss);
      rsChanged ||= ssChanged;
    }
    resourceSpans.push(rsChanged ? { ...rs, resource, scopeSpans } : rs);
    changed ||= rsChanged;
  }
  return changed ? { resourceSpans } : traces;
}

class Limiter {
  constructor(
    private readonly limits: DecodeLimits,
    private readonly cut: Truncations,
  ) {}

  span(s: Span): Span {
    const attrs = this.attributes(s.attributes);
    const name = this.string(s.name);
    let events = s.events;
    for (let i = 0; i < s.events.length; i++) {
      const e = s.events[i]!;
      const a = this.attributes(e.attributes);
      const n = this.string(e.name);
      if (a.list === e.attributes && n === e.name) continue;
      if (events === s.events) events = [...s.events];
      (events as SpanEventLike[])[i] = {
        ...e,
        name: n,
        attributes: a.list,
        droppedAttributesCount: e.droppedAttributesCount + a.dropped,
      };
    }
    let links = s.links;
    for (let i = 0; i < s.links.length; i++) {
      const k = s.links[i]!;
      const a = this.attributes(k.attributes);
      if (a.list === k.attributes) continue;
      if (links === s.links) links = [...s.links];
      (links as SpanLinkLike[])[i] = {
        ...k,
        attributes: a.list,
        droppedAttributesCount: k.droppedAttributesCount + a.dropped,
      };
    }
    if (attrs.list === s.attributes && name === s.name && events === s.events && links === s.links)
      return s;
    return {
      ...s,
      name,
      attributes: attrs.list,
      droppedAttributesCount: s.droppedAttributesCount + attrs.dropped,
      events,
      links,
    };
  }

  resource(r: Resource): Resource {
    const a = this.attributes(r.attributes);
    if (a.list === r.attributes) return r;
    return { attributes: a.list, droppedAttributesCount: r.droppedAttributesCount + a.dropped };
  }

  scope(s: InstrumentationScope): InstrumentationScope {
    const a = this.attributes(s.attributes);
    if (a.list === s.attributes) return s;
    return {
      ...s,
      attributes: a.list,
      droppedAttributesCount: s.droppedAttributesCount + a.dropped,
    };
  }

  private attributes(list: Attributes): { list: Attributes; dropped: number } {
    const max = this.limits.maxAttributes;
    let out: Attributes = list;
    let dropped = 0;
    if (list.length > max) {
      dropped = list.length - max;
      this.cut.attributes += dropped;
      out = list.slice(0, max);
    }
    let copy: Array<Attributes[number]> | undefined;
    for (let i = 0; i < out.length; i++) {
      const kv = out[i]!;
      const key = this.string(kv.key);
      const value = this.value(kv.value);
      if (key === kv.key && value === kv.value) continue;
      copy ??= [...out];
      copy[i] = { key, value };
    }
    return { list: copy ?? out, dropped };
  }

  private value(v: AnyValue): AnyValue {
    if (typeof v === 'string') return this.string(v);
    if (v instanceof Uint8Array) {
      if (v.length <= this.limits.maxValueLength) return v;
      this.cut.values++;
      return v.slice(0, this.limits.maxValueLength);
    }
    if (Array.isArray(v)) {
      let list: readonly AnyValue[] = v;
      if (list.length > this.limits.maxArrayLength) {
        this.cut.arrays++;
        list = list.slice(0, this.limits.maxArrayLength);
      }
      let copy: AnyValue[] | undefined;
      for (let i = 0; i < list.length; i++) {
        const x = this.value(list[i]!);
        if (x === list[i]) continue;
        copy ??= [...list];
        copy[i] = x;
      }
      return copy ?? list;
    }
    if (v !== null && typeof v === 'object' && 'kvlist' in v) {
      let list = v.kvlist;
      if (list.length > this.limits.maxArrayLength) {
        this.cut.arrays++;
        list = list.slice(0, this.limits.maxArrayLength);
      }
      let copy: Array<Attributes[number]> | undefined;
      for (let i = 0; i < list.length; i++) {
        const kv = list[i]!;
        const key = this.string(kv.key);
        const value = this.value(kv.value);
        if (key === kv.key && value === kv.value) continue;
        copy ??= [...list];
        copy[i] = { key, value };
      }
      const out = copy ?? list;
      return out === v.kvlist ? v : { kvlist: out };
    }
    return v;
  }

  private string(s: string): string {
    if (s.length <= this.limits.maxValueLength) return s;
    this.cut.values++;
    return cutString(s, this.limits.maxValueLength);
  }
}

type SpanEventLike = Span['events'][number];
type SpanLinkLike = Span['links'][number];
