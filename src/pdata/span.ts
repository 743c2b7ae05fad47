import {
  type Attributes,
  type InstrumentationScope,
  type Resource,
  type Span,
  SpanKind,
  type Traces,
  UNSET_STATUS,
} from './traces.js';

/**
 * A span with every optional field at its OTLP default; `fields` overrides them. Field by field
 * rather than a spread over the defaults: every span then has the same fields in the same order
 * (one hidden class), and the Dify receiver builds one per span on its hot path.
 */
export function makeSpan(fields: Partial<Span> & Pick<Span, 'traceId' | 'spanId' | 'name'>): Span {
  return {
    parentSpanId: fields.parentSpanId ?? '',
    traceState: fields.traceState ?? '',
    flags: fields.flags ?? 0,
    kind: fields.kind ?? SpanKind.INTERNAL,
    startTimeUnixNano: fields.startTimeUnixNano ?? 0n,
    endTimeUnixNano: fields.endTimeUnixNano ?? 0n,
    attributes: fields.attributes ?? [],
    droppedAttributesCount: fields.droppedAttributesCount ?? 0,
    events: fields.events ?? [],
    droppedEventsCount: fields.droppedEventsCount ?? 0,
    links: fields.links ?? [],
    droppedLinksCount: fields.droppedLinksCount ?? 0,
    status: fields.status ?? UNSET_STATUS,
    traceId: fields.traceId,
    spanId: fields.spanId,
    name: fields.name,
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
