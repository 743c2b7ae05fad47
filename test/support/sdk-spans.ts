import { type Span as ApiSpan, context, type Tracer, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { makeSpan } from '../../src/pdata/span.js';
import type { AnyValue, KeyValue, ResourceSpans, Span, Traces } from '../../src/pdata/traces.js';

/** An OpenTelemetry JS SDK tracer whose ended spans go to `exporter` (in memory by default). */
export function sdkTracer(exporter: SpanExporter = new InMemorySpanExporter()) {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'travel-agent' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return {
    tracer: provider.getTracer('travel-agent-instrumentation', '1.2.3'),
    provider,
    exporter,
  };
}

/** Starts `name` as a child of `parent` (or a root) at `startMs`. */
export function child(tracer: Tracer, name: string, startMs: number, parent?: ApiSpan): ApiSpan {
  const ctx = parent ? trace.setSpan(context.active(), parent) : context.active();
  return tracer.startSpan(name, { startTime: startMs }, ctx);
}

/**
 * A small agent run as an instrumented service would trace it: a root `agent run`, an LLM call
 * with GenAI attributes and usage, a tool call, and a failing HTTP call with an exception.
 */
export function recordAgentRun(tracer: Tracer, t0: number): void {
  const root = child(tracer, 'agent run', t0);
  root.setAttributes({
    'input.value': '{"question":"Plan 3 days in Kyoto"}',
    'input.mime_type': 'application/json',
    'gen_ai.operation.name': 'invoke_agent',
    'gen_ai.conversation.id': 'conv-42',
    'opik.tags': ['agent', 'kyoto'],
    'http.route': '/plan',
  });
  const llm = child(tracer, 'chat gpt-4.1-mini', t0 + 5, root);
  llm.setAttributes({
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4.1-mini',
    'gen_ai.usage.input_tokens': 120,
    'gen_ai.usage.output_tokens': 48,
    'input.value': '[{"role":"user","content":"Plan 3 days in Kyoto"}]',
    'output.value': 'Day 1: Fushimi Inari…',
    'server.address': 'api.openai.com',
  });
  llm.end(t0 + 900);
  const tool = child(tracer, 'weather lookup', t0 + 910, root);
  tool.setAttributes({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'weather' });
  tool.end(t0 + 950);
  const http = child(tracer, 'GET /forecast', t0 + 960, root);
  http.setAttribute('http.response.status_code', 503);
  http.recordException(
    {
      name: 'FetchError',
      message: 'upstream unavailable',
      stack: 'FetchError: upstream unavailable\n    at get (forecast.js:3)',
    },
    t0 + 970,
  );
  http.setStatus({ code: 2, message: 'upstream unavailable' });
  http.end(t0 + 980);
  root.setAttribute('output.value', 'A three-day plan');
  root.end(t0 + 1000);
}

/** The SDK's finished spans as one pdata batch (per resource and scope, as OTLP groups them). */
export function toTraces(spans: readonly ReadableSpan[]): Traces {
  const byResource = new Map<string, { attributes: KeyValue[]; scopes: Map<string, Span[]> }>();
  const versions = new Map<string, string>();
  for (const s of spans) {
    const rkey = JSON.stringify(s.resource.attributes);
    let r = byResource.get(rkey);
    if (!r) {
      r = { attributes: attrs(s.resource.attributes), scopes: new Map() };
      byResource.set(rkey, r);
    }
    const scope = s.instrumentationScope.name;
    versions.set(scope, s.instrumentationScope.version ?? '');
    const list = r.scopes.get(scope) ?? [];
    r.scopes.set(scope, list);
    list.push(toSpan(s));
  }
  const resourceSpans: ResourceSpans[] = [...byResource.values()].map((r) => ({
    resource: { attributes: r.attributes, droppedAttributesCount: 0 },
    schemaUrl: '',
    scopeSpans: [...r.scopes].map(([name, list]) => ({
      scope: { name, version: versions.get(name) ?? '', attributes: [], droppedAttributesCount: 0 },
      spans: list,
      schemaUrl: '',
    })),
  }));
  return { resourceSpans };
}

function toSpan(s: ReadableSpan): Span {
  return makeSpan({
    traceId: s.spanContext().traceId,
    spanId: s.spanContext().spanId,
    parentSpanId: s.parentSpanContext?.spanId ?? '',
    name: s.name,
    kind: (s.kind + 1) as Span['kind'],
    startTimeUnixNano: hrToNs(s.startTime),
    endTimeUnixNano: hrToNs(s.endTime),
    attributes: attrs(s.attributes),
    events: s.events.map((e) => ({
      name: e.name,
      timeUnixNano: hrToNs(e.time),
      attributes: attrs(e.attributes ?? {}),
      droppedAttributesCount: 0,
    })),
    status: { code: s.status.code as Span['status']['code'], message: s.status.message ?? '' },
  });
}

function hrToNs([s, ns]: [number, number]): bigint {
  return BigInt(s) * 1_000_000_000n + BigInt(ns);
}

/** SDK attribute values as OTLP types: integral numbers are ints, as the OTLP exporters send them. */
function attrs(record: Record<string, unknown>): KeyValue[] {
  return Object.entries(record)
    .filter(([, v]) => v !== undefined)
    .map(([key, v]) => ({ key, value: toAny(v) }));
}

function toAny(v: unknown): AnyValue {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(toAny);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  return v === null || v === undefined ? null : String(v);
}
