/**
 * Interop with real clients: the OpenTelemetry JS SDK's OTLPTraceExporter over http/protobuf,
 * http/json and gRPC sends spans with every attribute type, events, links, status, resource and
 * scope attributes to a running collector (otlp receiver → file exporter). The file must hold
 * exactly what the SDK serialized.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTracesJson } from '../../src/otlp/json-codec.js';
import { decodeTracesRequest } from '../../src/otlp/proto-codec.js';
import type { Traces } from '../../src/pdata/traces.js';
import type { OtlpReceiver } from '../../src/receivers/otlp/receiver.js';
import type { Collector } from '../../src/service/collector.js';
import { startYaml } from './support/pipeline.js';

const dir = mkdtempSync(join(tmpdir(), 'sdk-interop-'));
const path = join(dir, 'traces.jsonl');
let collector: Collector;
let http: string;
let grpc: string;

beforeAll(async () => {
  collector = await startYaml(`
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
      grpc: { endpoint: 127.0.0.1:0 }
exporters:
  file:
    path: ${path}
    flush_interval: 0s
service:
  telemetry: { metrics: { level: none } }
  pipelines:
    traces: { receivers: [otlp], exporters: [file] }
`);
  const receiver = collector.graph.nodes.find((n) => n.kind === 'receiver')!
    .component as OtlpReceiver;
  http = `http://${receiver.addresses.http}/v1/traces`;
  grpc = `http://${receiver.addresses.grpc}`;
});

afterAll(() => collector.shutdown());

/** A varied trace recorded by the SDK, with kvlist and bytes values added as OTLP allows. */
function recordSpans(label: string): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': `interop-${label}`,
      'service.instance.id': 7,
    }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('interop.scope', '1.2.3');
  const remote = trace.setSpanContext(context.active(), {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
  const server = tracer.startSpan(
    `POST /chat (${label})`,
    {
      kind: SpanKind.SERVER,
      startTime: [1_700_000_000, 123_456_789],
      attributes: {
        'string.attr': 'héllo ✓',
        'bool.attr': true,
        'int.attr': 42,
        'double.attr': 0.7,
        'array.strings': ['a', 'b'],
        'array.ints': [12, 30],
        'array.doubles': [0.5, 1.25],
        'array.bools': [true, false],
      },
    },
    remote,
  );
  server.addEvent('retrieved', { 'doc.count': 3 }, [1_700_000_000, 200_000_000]);
  const child = tracer.startSpan(
    'llm call',
    {
      kind: SpanKind.CLIENT,
      startTime: [1_700_000_000, 500_000_000],
      links: [{ context: server.spanContext(), attributes: { 'link.reason': 'follows' } }],
    },
    trace.setSpan(context.active(), server),
  );
  child.recordException(new TypeError('model overloaded'), [1_700_000_000, 900_000_000]);
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'model overloaded' });
  child.end([1_700_000_001, 0]);
  server.setStatus({ code: SpanStatusCode.OK });
  server.end([1_700_000_002, 999_999_999]);
  // The SDK's attribute API takes primitives and arrays only; OTLP also has kvlist and bytes, and
  // the SDK's serializer encodes them, so they are added to the finished span.
  return memory.getFinishedSpans().map((s) =>
    s.name.startsWith('POST')
      ? ({
          ...s,
          spanContext: () => s.spanContext(),
          attributes: {
            ...s.attributes,
            'kvlist.attr': { nested: 'value', count: 2 },
            'bytes.attr': new Uint8Array([0, 1, 254, 255]),
          },
        } as unknown as ReadableSpan)
      : s,
  );
}

function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<void> {
  return new Promise((resolve, reject) => {
    exporter.export(spans, (result) =>
      result.code === ExportResultCode.SUCCESS
        ? resolve()
        : reject(result.error ?? new Error('export failed')),
    );
  });
}

function fileLines(): Traces[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => decodeTracesJson(l));
}

describe('OpenTelemetry JS SDK → otlp receiver → file exporter', () => {
  it.each([
    ['http/protobuf', () => new ProtoExporter({ url: http })],
    ['http/json', () => new JsonExporter({ url: http })],
    [
      'http/protobuf with gzip',
      () => new ProtoExporter({ url: http, compression: 'gzip' as never }),
    ],
    ['grpc', () => new GrpcExporter({ url: grpc })],
    ['grpc with gzip', () => new GrpcExporter({ url: grpc, compression: 'gzip' as never })],
  ])('writes exactly what the SDK sent over %s', async (label, make) => {
    const spans = recordSpans(label);
    const exporter = make();
    const before = fileLines().length;
    await exportWith(exporter, spans);
    await exporter.shutdown();
    const lines = fileLines();
    expect(lines).toHaveLength(before + 1);
    const sent = decodeTracesRequest(ProtobufTraceSerializer.serializeRequest(spans)!);
    expect(lines.at(-1)).toEqual(sent);
    const attrs = sent.resourceSpans[0]!.scopeSpans[0]!.spans.flatMap((s) =>
      s.attributes.map((a) => a.key),
    );
    expect(attrs).toEqual(
      expect.arrayContaining(['kvlist.attr', 'bytes.attr', 'double.attr', 'int.attr']),
    );
  });
});
