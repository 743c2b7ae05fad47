/**
 * The one in-memory data model of the collector: plain, OTLP-shaped trace data.
 *
 * Receivers decode their wire format into these types once; exporters encode them once.
 * Processors never see wire formats and never mutate a batch they were given: they return
 * a new one (shallow copies are cheap), so a batch can be fanned out without cloning.
 * Representation choices are recorded in `README.md` beside this file.
 */

/** An OTLP `AnyValue`. `bigint` is `int_value`, `number` is `double_value`, `null` is an empty value. */
export type AnyValue =
  | string
  | boolean
  | bigint
  | number
  | Uint8Array
  | readonly AnyValue[]
  | KeyValueList
  | null;

/** An OTLP `KeyValueList` (a map value), kept apart from arrays by its `kvlist` key. */
export interface KeyValueList {
  readonly kvlist: Attributes;
}

export interface KeyValue {
  readonly key: string;
  readonly value: AnyValue;
}

/** Attributes in wire order. Keys should be unique; duplicates are kept as received. */
export type Attributes = readonly KeyValue[];

export interface Resource {
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
}

export interface InstrumentationScope {
  readonly name: string;
  readonly version: string;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
}

export const SpanKind = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;
export type SpanKind = (typeof SpanKind)[keyof typeof SpanKind];

export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;
export type StatusCode = (typeof StatusCode)[keyof typeof StatusCode];

export interface Status {
  readonly code: StatusCode;
  readonly message: string;
}

export interface SpanEvent {
  readonly timeUnixNano: bigint;
  readonly name: string;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
}

export interface SpanLink {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceState: string;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
  readonly flags: number;
}

export interface Span {
  /** 32 lowercase hex characters (16 bytes); '' when the sender sent none. */
  readonly traceId: string;
  /** 16 lowercase hex characters (8 bytes). */
  readonly spanId: string;
  /** 16 lowercase hex characters, or '' for a root span. */
  readonly parentSpanId: string;
  readonly traceState: string;
  readonly flags: number;
  readonly name: string;
  readonly kind: SpanKind;
  readonly startTimeUnixNano: bigint;
  readonly endTimeUnixNano: bigint;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
  readonly events: readonly SpanEvent[];
  readonly droppedEventsCount: number;
  readonly links: readonly SpanLink[];
  readonly droppedLinksCount: number;
  readonly status: Status;
}

export interface ScopeSpans {
  readonly scope: InstrumentationScope;
  readonly spans: readonly Span[];
  readonly schemaUrl: string;
}

export interface ResourceSpans {
  readonly resource: Resource;
  readonly scopeSpans: readonly ScopeSpans[];
  readonly schemaUrl: string;
}

/** A batch of trace data: the unit that flows through a traces pipeline. */
export interface Traces {
  readonly resourceSpans: readonly ResourceSpans[];
}

export const EMPTY_RESOURCE: Resource = Object.freeze({
  attributes: [],
  droppedAttributesCount: 0,
});
export const EMPTY_SCOPE: InstrumentationScope = Object.freeze({
  name: '',
  version: '',
  attributes: [],
  droppedAttributesCount: 0,
});
export const UNSET_STATUS: Status = Object.freeze({ code: StatusCode.UNSET, message: '' });
