import { gzipSync } from 'node:zlib';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { child, sdkTracer } from '../support/sdk-spans.js';
import { convertOtelId } from './opik-ids.js';
import { type FakeOpik, startFakeOpik } from './server.js';

const T0 = Date.parse('2026-11-20T10:00:00.000Z');
let fake: FakeOpik;

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(fake.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** Sends spans to the fake with the OpenTelemetry JS SDK's own OTLP/protobuf exporter. */
async function sdkSend(
  build: (tracer: ReturnType<typeof sdkTracer>['tracer']) => void,
  project = 'SDK',
) {
  const exporter = new OTLPTraceExporter({
    url: `${fake.url}/api/v1/private/otel/v1/traces`,
    headers: { projectName: project },
  });
  const { tracer, provider } = sdkTracer(exporter);
  build(tracer);
  await provider.forceFlush();
  await provider.shutdown();
}

const trace = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  start_time: '2026-11-20T10:00:00.123Z',
  name: 't',
  ...extra,
});
const V7 = '019ea0c4-7a80-7000-8000-000000000001';

describe('fake Opik', () => {
  beforeEach(async () => {
    fake = await startFakeOpik({ now: () => T0 + 60_000 });
  });
  afterEach(async () => {
    await fake.stop();
  });

  it('computes the reference id vector', () => {
    const ts = 1767225600123n;
    expect(convertOtelId(Buffer.from('5b8efff798038103d269b633813fc60c', 'hex'), ts)).toBe(
      '019b76da-a87b-7c4b-aaa2-e4ea076c6c6d',
    );
    expect(convertOtelId(Buffer.from('eee19b7ec3c1b174', 'hex'), ts)).toBe(
      '019b76da-a87b-7284-b6af-5fa6ee032c97',
    );
  });

  it('stores SDK spans sent over OTLP with Opik’s ids and attribute rules', async () => {
    let traceId = '';
    let childId = '';
    await sdkSend((tracer) => {
      const root = child(tracer, 'root', T0);
      traceId = root.spanContext().traceId;
      const llm = child(tracer, 'llm', T0 + 10, root);
      childId = llm.spanContext().spanId;
      llm.setAttributes({
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 3,
        'gen_ai.usage.output_tokens': 4,
        'http.method': 'POST',
      });
      llm.end(T0 + 20);
      root.end(T0 + 30);
    });
    // The SDK exports each span as it ends, so the child's request comes first and its start
    // (T0 + 10) becomes the trace's timestamp, as in Opik's Redis memory.
    const opikTrace = convertOtelId(Buffer.from(traceId, 'hex'), BigInt(T0 + 10));
    expect(fake.traces('SDK').map((t) => [t.id, t.name])).toEqual([[opikTrace, 'root']]);
    const llm = fake.spans('SDK').find((s) => s.name === 'llm')!;
    expect(llm).toMatchObject({
      id: convertOtelId(Buffer.from(childId, 'hex'), BigInt(T0 + 10)),
      trace_id: opikTrace,
      type: 'llm',
      model: 'gpt-4o',
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
      input: { 'http.method': 'POST' },
      metadata: { integration: 'travel-agent-instrumentation' },
      start_time: '2026-11-20T10:00:00.010Z',
    });
  });

  it.each([
    [60_000, 'joins', 1],
    [3 * 3_600_000 + 1, 'splits', 2],
  ])(
    'remembers an OTel trace for the TTL: a request %i ms later %s the trace',
    async (later, _what, traces) => {
      let clock = T0;
      await fake.stop();
      fake = await startFakeOpik({ now: () => clock });
      const exporter = new OTLPTraceExporter({
        url: `${fake.url}/v1/private/otel/v1/traces`,
        headers: { projectName: 'SDK' },
      });
      const { tracer, provider } = sdkTracer(exporter);
      const root = child(tracer, 'root', T0);
      child(tracer, 'first child', T0 + 5, root).end(T0 + 6);
      await provider.forceFlush();
      clock += later;
      child(tracer, 'second child', T0 + 7, root).end(T0 + 8);
      await provider.shutdown();
      const traceIds = new Set(fake.spans('SDK').map((s) => s.trace_id));
      expect(traceIds.size).toBe(traces);
    },
  );

  it('answers 409 to a re-sent root span and stores nothing from that request', async () => {
    const send = (withExtraChild: boolean) =>
      sdkSend((tracer) => {
        const root = child(tracer, 'root', T0);
        if (withExtraChild) child(tracer, 'late child', T0 + 1, root).end(T0 + 2);
        root.end(T0 + 3);
      });
    // The SDK exporter reports failures through its callback, not by throwing.
    await send(false);
    const { status, body } = await post('/v1/private/otel/v1/traces', '', {
      'content-type': 'text/plain',
    });
    expect([status, body]).toEqual([
      415,
      { code: 415, message: 'HTTP 415 Unsupported Media Type' },
    ]);
    const before = fake.spans('SDK').length;
    const rootRequest = fake.requestsTo('otlp')[0]!;
    const again = await fetch(`${fake.url}/v1/private/otel/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', projectName: 'SDK' },
      body: rootRequest.body,
    });
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ errors: ['Trace already exists'] });
    expect(fake.spans('SDK')).toHaveLength(before);
  });

  it('fails the whole OTLP request on a usage string that is not a number', async () => {
    // The SDK's flush rejects on the 400; what matters here is what the fake answered and kept.
    const sent = sdkSend((tracer) => {
      const s = child(tracer, 'llm', T0);
      s.setAttribute('gen_ai.usage.input_tokens', 'many');
      s.end(T0 + 1);
    });
    await sent.catch(() => undefined);
    expect(fake.requestsTo('otlp')[0]?.status).toBe(400);
    expect(fake.spans('SDK')).toEqual([]);
  });

  it('upserts REST batches and keeps one row per id', async () => {
    expect((await post('/v1/private/traces/batch', { traces: [trace(V7)] })).status).toBe(204);
    expect(
      (await post('/v1/private/traces/batch', { traces: [trace(V7, { name: 'renamed' })] })).status,
    ).toBe(204);
    expect(fake.traces().map((t) => t.name)).toEqual(['renamed']);
  });

  it('keeps the row with the newest last_updated_at', async () => {
    await post('/v1/private/traces/batch', { traces: [trace(V7, { name: 'real' })] });
    await post('/v1/private/traces/batch', {
      traces: [trace(V7, { name: 'placeholder', last_updated_at: '1970-01-01T00:00:00.000Z' })],
    });
    expect(fake.traces().map((t) => t.name)).toEqual(['real']);
  });

  it.each([
    ['an empty batch', { traces: [] }, 422, { errors: ['traces size must be between 1 and 1000'] }],
    [
      'a missing start_time',
      { traces: [{ id: V7 }] },
      422,
      { errors: ['traces[0].startTime must not be null'] },
    ],
    [
      'a blank project',
      { traces: [trace(V7, { project_name: ' ' })] },
      422,
      { errors: ['traces[0].projectName must not be blank'] },
    ],
    [
      'a v4 id',
      { traces: [trace('9b2b2e4c-1d2a-4c7e-9a3b-0c1d2e3f4a5b')] },
      400,
      { code: 400, message: 'Invalid UUID for id', details: 'Trace id must be a version 7 UUID' },
    ],
    ['bad JSON', '{"traces": [', 400, { code: 400 }],
  ])('refuses %s like Opik', async (_what, body, status, answer) => {
    const reply = await post('/v1/private/traces/batch', body);
    expect(reply.status).toBe(status);
    expect(reply.body).toMatchObject(answer);
    expect(fake.traces()).toEqual([]);
  });

  it('refuses 1001 spans in one batch', async () => {
    const spans = Array.from({ length: 1001 }, () => ({
      id: V7,
      trace_id: V7,
      start_time: '2026-11-20T10:00:00Z',
    }));
    expect((await post('/v1/private/spans/batch', { spans })).status).toBe(422);
  });

  it('applies Opik Cloud’s ingestion window when told to', async () => {
    await fake.stop();
    fake = await startFakeOpik({ now: () => T0, uuidWindowMs: 24 * 3_600_000 });
    const old = '0190babc-62a0-71d2-832a-0feffa4676eb';
    const reply = await post('/v1/private/traces/batch', { traces: [trace(old)] });
    expect(reply).toEqual({
      status: 400,
      body: {
        code: 400,
        message: 'Invalid UUID for id',
        details:
          "id with timestamp '2024-07-16T08:50:26.592Z' must be in the allowed ingestion window of 'PT24H' around now, reason 'too_old'",
      },
    });
  });

  it('gunzips request bodies', async () => {
    const res = await fetch(`${fake.url}/v1/private/traces/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify({ traces: [trace(V7)] })),
    });
    expect(res.status).toBe(204);
  });

  it.each([
    [{}, 403, 'Workspace name should be provided'],
    [{ 'comet-workspace': 'acme' }, 401, 'API key should be provided'],
    [
      { 'comet-workspace': 'acme', authorization: 'wrong' },
      401,
      'User not allowed to access workspace!',
    ],
    [{ 'comet-workspace': 'acme', authorization: 'k1' }, 204, undefined],
  ])('checks cloud credentials %j', async (headers, status, message) => {
    await fake.stop();
    fake = await startFakeOpik({ auth: { mode: 'cloud', keys: { k1: ['acme'] } } });
    const reply = await post('/v1/private/traces/batch', { traces: [trace(V7)] }, headers);
    expect(reply.status).toBe(status);
    if (message) expect(reply.body).toEqual({ code: status, message });
  });

  it('knows only the default workspace in OSS mode', async () => {
    const reply = await post(
      '/v1/private/traces/batch',
      { traces: [trace(V7)] },
      { 'comet-workspace': 'acme' },
    );
    expect(reply).toEqual({ status: 404, body: { code: 404, message: 'Workspace not found' } });
  });

  it('answers 404 for unknown routes and for OTLP when told it has none', async () => {
    expect((await post('/v1/private/otel/v1/metrics', '')).status).toBe(404);
    fake.otlpMissing = true;
    const reply = await post('/v1/private/otel/v1/traces', '', {
      'content-type': 'application/x-protobuf',
    });
    expect(reply).toEqual({ status: 404, body: { code: 404, message: 'HTTP 404 Not Found' } });
  });

  it('fails on demand: status with headers, reset, then normal again', async () => {
    fake.fail('traces', {
      status: 429,
      headers: { 'retry-after': '7' },
      body: { code: 429, message: 'Too Many Requests: slow down' },
    });
    fake.fail('traces', 'reset');
    const throttled = await fetch(`${fake.url}/v1/private/traces/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ traces: [trace(V7)] }),
    });
    expect([throttled.status, throttled.headers.get('retry-after')]).toEqual([429, '7']);
    await expect(post('/v1/private/traces/batch', { traces: [trace(V7)] })).rejects.toThrow();
    expect((await post('/v1/private/traces/batch', { traces: [trace(V7)] })).status).toBe(204);
  });
});
