import {
  type Attributes,
  type InstrumentationScope,
  type Resource,
  type Span,
  SpanKind,
  type Traces,
  UNSET_STATUS,
} from './traces.js';

/** A span with every optional field at its OTLP default; `fields` overrides them. */
export function makeSpan(fields: Partial<Span> & Pick<Span, 'traceId' | 'spanId' | 'name'>): Span {
  return {
    parentSpanId: '',
    traceState: '',
    flags: 0,
    kind: SpanKind.INTERNAL,
    startTimeUnixNano: 0n,
    endTimeUnixNano: 0n,
    attributes: [],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: UNSET_STATUS,
    ...fields,
  };
}

/** One resource, one scope, the given spans. */
export function makeTraces(
  spans: readonly Span[],
  resourceAttributes: Attributes = [],
  scope: Partial<InstrumentationScope> = {},
): Traces {
  const resource: Resource = { attributes: resourceAttributes, droppedAttributesCount: 0 };
  return {
    resourceSpans: [
      {
        resource,
        schemaUrl: '',
        scopeSpans: [
          {
            scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0, ...scope },
            spans,
            schemaUrl: '',
          },
        ],
      },
    ],
  };
}
