/**
 * Interop with the OpenTelemetry JS SDK: spans made by a real tracer and serialized by
 * `@opentelemetry/otlp-transformer` (what `@opentelemetry/exporter-trace-otlp-*` send) must decode
 * to exactly what the SDK recorded, in both encodings.
 */
import {
  type Attributes as ApiAttributes,
  SpanKind as ApiSpanKind,
  type AttributeValue,
  context,
  createTraceState,
  type HrTime,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AnyValue, Attributes, Span, SpanKind, StatusCode } from '../pdata/traces.js';
import { decodeTracesJson } from './json-codec.js';
import { decodeTracesRequest } from './proto-codec.js';

const REMOTE_PARENT = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
  traceState: createTraceState('vendor=opaque,other=1'),
};

const at = (seconds: number, nanos = 0): HrTime => [seconds, nanos];

/** Records a small but varied trace: a server span under a remote parent, a child, a link. */
function recordSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'interop', 'service.instance.id': 7 }),
    spanLimits: { attributeCountLimit: 8, eventCountLimit: 2, linkCountLimit: 1 },
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('interop.scope', '1.2.3');
  const remote = trace.setSpanContext(context.active(), REMOTE_PARENT);

  const server = tracer.startSpan(
    'POST /chat',
    {
      kind: ApiSpanKind.SERVER,
      startTime: at(1_700_000_000, 123_456_789),
      attributes: {
        'http.method': 'POST',
        'http.status_code': 200,
        'llm.temperature': 0.7,
        stream: false,
        tags: ['a', 'b'],
        'token.counts': [12, 30],
        scores: [0.5, 1.25],
        flags: [true, false],
      },
    },
    remote,
  );
  server.setAttribute('over.the.limit', 'dropped');
  server.addEvent('first', { 'event.n': 1 }, at(1_700_000_000, 200_000_000));
  server.addEvent('second', {}, at(1_700_000_000, 300_000_000));
  server.addEvent('third (dropped)', {}, at(1_700_000_000, 400_000_000));

  const child = tracer.startSpan(
    'llm call',
    {
      kind: ApiSpanKind.CLIENT,
      startTime: at(1_700_000_000, 500_000_000),
      links: [
        { context: REMOTE_PARENT, attributes: { 'link.reason': 'retry-of' } },
        { context: REMOTE_PARENT },
      ],
    },
    trace.setSpan(context.active(), server),
  );
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'rate limited' });
  child.end(at(1_700_000_001, 0));

  server.setStatus({ code: SpanStatusCode.OK });
  server.end(at(1_700_000_002, 999_999_999));
  return exporter.getFinishedSpans();
}

// The SDK → OTLP mapping, written out from the OTLP spec, to check our decoders against.
function expectedSpan(s: ReadableSpan): Span {
  const ctx = s.spanContext();
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: s.parentSpanContext?.spanId ?? '',
    traceState: ctx.traceState?.serialize() ?? '',
    flags: spanFlags(ctx.traceFlags, s.parentSpanContext?.isRemote),
    name: s.name,
    kind: (s.kind + 1) as SpanKind,
    startTimeUnixNano: nanos(s.startTime),
    endTimeUnixNano: nanos(s.endTime),
    attributes: attributes(s.attributes),
    droppedAttributesCount: s.droppedAttributesCount,
    events: s.events.map((e) => ({
      timeUnixNano: nanos(e.time),
      name: e.name,
      attributes: attributes(e.attributes ?? {}),
      droppedAttributesCount: e.droppedAttributesCount ?? 0,
    })),
    droppedEventsCount: s.droppedEventsCount,
    links: s.links.map((l) => ({
      traceId: l.context.traceId,
      spanId: l.context.spanId,
      traceState: l.context.traceState?.serialize() ?? '',
      attributes: attributes(l.attributes ?? {}),
      droppedAttributesCount: l.droppedAttributesCount ?? 0,
      flags: spanFlags(l.context.traceFlags, l.context.isRemote),
    })),
    droppedLinksCount: s.droppedLinksCount,
    status: { code: s.status.code as StatusCode, message: s.status.message ?? '' },
  };
}

/** W3C trace flags plus the OTLP "has is_remote" (0x100) and "is_remote" (0x200) bits. */
function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | 0x100 | (isRemote ? 0x200 : 0);
}

function nanos([seconds, ns]: HrTime): bigint {
  return BigInt(seconds) * 1_000_000_000n + BigInt(ns);
}

function attributes(attrs: ApiAttributes): Attributes {
  return Object.entries(attrs).map(([key, value]) => ({ key, value: anyValue(value) }));
}

function anyValue(v: AttributeValue | null | undefined): AnyValue {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map((x) => anyValue(x));
  return (v ?? null) as AnyValue;
}

describe('interop with @opentelemetry/otlp-transformer', () => {
  let spans: ReadableSpan[];
  beforeAll(() => {
    spans = recordSpans();
  });

  it('records the trace the test expects (limits applied, two spans)', () => {
    expect(spans).toHaveLength(2);
    const server = spans.find((s) => s.kind === ApiSpanKind.SERVER)!;
    expect(server.droppedAttributesCount).toBe(1);
    expect(server.droppedEventsCount).toBe(1);
  });

  it('decodes ProtobufTraceSerializer output to exactly what the SDK recorded', () => {
    const traces = decodeTracesRequest(ProtobufTraceSerializer.serializeRequest(spans)!);
    const [rs] = traces.resourceSpans;
    expect(traces.resourceSpans).toHaveLength(1);
    expect(rs!.resource.attributes).toEqual(attributes(spans[0]!.resource.attributes));
    expect(rs!.scopeSpans).toHaveLength(1);
    expect(rs!.scopeSpans[0]!.scope).toEqual({
      name: 'interop.scope',
      version: '1.2.3',
      attributes: [],
      droppedAttributesCount: 0,
    });
    expect(rs!.scopeSpans[0]!.spans).toEqual(spans.map(expectedSpan));
  });

  it('decodes JsonTraceSerializer output to the same pdata as the protobuf output', () => {
    const fromProto = decodeTracesRequest(ProtobufTraceSerializer.serializeRequest(spans)!);
    const fromJson = decodeTracesJson(JsonTraceSerializer.serializeRequest(spans)!);
    expect(fromJson).toEqual(fromProto);
  });

  it('keeps what the SDK sets on a remote child: trace state and both is_remote bits', () => {
    const traces = decodeTracesRequest(ProtobufTraceSerializer.serializeRequest(spans)!);
    const server = traces.resourceSpans[0]!.scopeSpans[0]!.spans.find((s) => s.kind === 2)!;
    expect(server.parentSpanId).toBe(REMOTE_PARENT.spanId);
    expect(server.traceState).toBe('vendor=opaque,other=1');
    expect(server.flags).toBe(0x301);
    expect(server.startTimeUnixNano).toBe(1_700_000_000_123_456_789n);
  });
});
