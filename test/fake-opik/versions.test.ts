/**
 * The fake's version switch: what Opik 2.1.23 and 2.2 (up to 2.2.122) do differently, each
 * difference from reference/opik.md ("Changes from 2.1.23 to 2.2.x") shown on both versions.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeTracesRequest } from '../../src/otlp/proto-codec.js';
import { ExportTraceServiceRequest } from '../../src/otlp/proto-schema.js';
import { attributesFrom } from '../../src/pdata/attributes.js';
import { makeSpan, makeTraces } from '../../src/pdata/span.js';
import type { AnyValue, Span } from '../../src/pdata/traces.js';
import { type FakeOpik, type FakeOpikOptions, startFakeOpik } from './server.js';
import { OPIK_2_1, OPIK_2_2 } from './version.js';

const T0 = Date.parse('2026-11-20T10:00:00.000Z');
const TRACE = '5b8efff798038103d269b633813fc60c';
const ns = (ms: number) => BigInt(ms) * 1_000_000n;
const fakes: FakeOpik[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

async function fake(version: string, options: FakeOpikOptions = {}) {
  const f = await startFakeOpik({ version, now: () => T0 + 60_000, ...options });
  fakes.push(f);
  return f;
}

const span = (spanId: string, attrs: Record<string, AnyValue> = {}, fields: Partial<Span> = {}) =>
  makeSpan({
    traceId: TRACE,
    spanId,
    name: `s-${spanId.slice(0, 4)}`,
    startTimeUnixNano: ns(T0),
    endTimeUnixNano: ns(T0 + 5),
    attributes: attributesFrom(attrs),
    ...fields,
  });

async function otlp(f: FakeOpik, spans: Span[]) {
  const res = await fetch(`${f.url}/api/v1/private/otel/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf' },
    body: encodeTracesRequest(makeTraces(spans)),
  });
  await res.arrayBuffer();
  return res.status;
}

async function post(f: FakeOpik, path: string, body: unknown) {
  const res = await fetch(f.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

describe('fake Opik versions', () => {
  it.each([OPIK_2_1, OPIK_2_2])(
    'tells its version at /is-alive/ver (%s), without credentials',
    async (v) => {
      const f = await fake(v, { auth: { mode: 'cloud', keys: {} } });
      for (const path of ['/is-alive/ver', '/api/is-alive/ver']) {
        const res = await fetch(f.url + path);
        expect([res.status, await res.json()]).toEqual([200, { version: v }]);
      }
      expect((await fetch(`${f.url}/api/is-alive/ping`)).status).toBe(200);
    },
  );

  it('stores prefix-rule attributes under the full key on 2.1 and the stripped key on 2.2', async () => {
    const attrs = {
      'opik.metadata.team': 'core',
      'opik.metadata': '{"a":1,"thread_id":"x"}',
      'input.value': '{"q":"hi"}',
      input: '{"q2":"hey"}',
      output: 'hello',
      'gen_ai.request.max_tokens': 5n,
      'gen_ai.tool.name': 't',
      'gen_ai.agent.name': 'a',
      'code.lineno': 3n,
    };
    const stored = async (v: string) => {
      const f = await fake(v);
      expect(await otlp(f, [span('eee19b7ec3c1b174', attrs)])).toBe(200);
      const { input, output, metadata } = f.spans()[0]!;
      return { input, output, metadata };
    };
    expect(await stored(OPIK_2_1)).toEqual({
      input: { 'input.value': { q: 'hi' }, input: { q2: 'hey' }, 'gen_ai.request.max_tokens': 5 },
      output: { output: 'hello' },
      metadata: {
        'opik.metadata.team': 'core',
        'opik.metadata': { a: 1, thread_id: 'x' },
        'gen_ai.tool.name': 't',
        'gen_ai.agent.name': 'a',
        'code.lineno': 3,
      },
    });
    expect(await stored(OPIK_2_2)).toEqual({
      input: { value: { q: 'hi' }, q2: 'hey', max_tokens: 5 },
      output: { output: 'hello' },
      // The merged object's reserved `thread_id` is dropped; both `*.name` land on `name`.
      metadata: { team: 'core', a: 1, name: 'a', lineno: 3 },
    });
  });

  it('treats a parent id equal to the trace id as a root on 2.2 only', async () => {
    // What some instrumentations send (issue #7497): the 16 trace-id bytes as the parent span id.
    const body = ExportTraceServiceRequest.encode(
      ExportTraceServiceRequest.fromObject({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: Buffer.from(TRACE, 'hex'),
                    spanId: Buffer.from('eee19b7ec3c1b174', 'hex'),
                    parentSpanId: Buffer.from(TRACE, 'hex'),
                    name: 'root',
                    startTimeUnixNano: String(ns(T0)),
                    endTimeUnixNano: String(ns(T0 + 5)),
                  },
                ],
              },
            ],
          },
        ],
      }),
    ).finish();
    for (const [v, traces] of [
      [OPIK_2_1, 0],
      [OPIK_2_2, 1],
    ] as const) {
      const f = await fake(v);
      const res = await fetch(`${f.url}/v1/private/otel/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body,
      });
      expect(res.status).toBe(200);
      expect(f.traces()).toHaveLength(traces);
      expect(f.spans()[0]!.parent_span_id === undefined).toBe(traces === 1);
    }
  });

  it('makes one trace of two roots in one request on 2.2 (the first wins), 409 on 2.1', async () => {
    const roots = [
      span('eee19b7ec3c1b174', { 'opik.tags': '["first"]' }),
      span('00000000000000aa', { 'opik.tags': '["second"]' }),
    ];
    const old = await fake(OPIK_2_1);
    expect(await otlp(old, roots)).toBe(409);
    expect(old.spans()).toEqual([]);
    const current = await fake(OPIK_2_2);
    expect(await otlp(current, roots)).toBe(200);
    // PR #7537: the root span's tags tag the trace too (2.1 never copies them).
    expect(current.traces().map((t) => [t.name, t.tags])).toEqual([['s-eee1', ['first']]]);
    expect(current.spans()).toHaveLength(2);
  });

  it.each([
    [OPIK_2_1, 'general', undefined],
    [OPIK_2_2, 'tool', undefined],
  ])('types a span with gen_ai.tool.call.arguments on %s as %s', async (v, type) => {
    const f = await fake(v);
    await otlp(f, [span('eee19b7ec3c1b174', { 'gen_ai.tool.call.arguments': '{"city":"Kyoto"}' })]);
    expect(f.spans()[0]).toMatchObject({
      type,
      input: { 'gen_ai.tool.call.arguments': { city: 'Kyoto' } },
    });
  });

  it('reads gen_ai.provider.name on 2.2 only, after gen_ai.system, through the alias map', async () => {
    const stored = async (v: string, attrs: Record<string, AnyValue>) => {
      const f = await fake(v);
      await otlp(f, [span('eee19b7ec3c1b174', attrs)]);
      const { type, provider, input } = f.spans()[0]!;
      return { type, provider, input };
    };
    expect(await stored(OPIK_2_1, { 'gen_ai.provider.name': 'vertex_ai' })).toEqual({
      type: 'general',
      provider: undefined,
      input: { 'gen_ai.provider.name': 'vertex_ai' },
    });
    expect(await stored(OPIK_2_2, { 'gen_ai.provider.name': 'vertex_ai' })).toEqual({
      type: 'llm',
      provider: 'google_vertexai',
      input: undefined,
    });
    expect(
      (await stored(OPIK_2_2, { 'gen_ai.provider.name': 'anthropic', 'gen_ai.system': 'openai' }))
        .provider,
    ).toBe('openai');
  });

  it('refuses a REST span whose trace_id or parent_span_id is not v7 on 2.2, before writing anything', async () => {
    const v7 = '019ea0c4-7a80-7000-8000-000000000001';
    const v4 = '9b2b2e4c-1d2a-4c7e-9a3b-0c1d2e3f4a5b';
    const body = (traceId: string, parent?: string) => ({
      spans: [
        { id: v7, trace_id: traceId, parent_span_id: parent, start_time: '2026-11-20T10:00:00Z' },
      ],
    });
    const old = await fake(OPIK_2_1);
    expect((await post(old, '/v1/private/spans/batch', body(v4, v4))).status).toBe(204);
    const current = await fake(OPIK_2_2);
    expect(await post(current, '/v1/private/spans/batch', body(v4))).toEqual({
      status: 400,
      body: {
        code: 400,
        message: 'Invalid UUID for id',
        details: 'Span trace id must be a version 7 UUID',
      },
    });
    expect((await post(current, '/v1/private/spans/batch', body(v7, v4))).body).toMatchObject({
      details: 'Span parent id must be a version 7 UUID',
    });
    expect(current.spans('Default Project')).toEqual([]);
  });

  it('answers 413 over its request size limit on 2.2, on every route; 2.1 has no limit', async () => {
    const big = {
      traces: [
        {
          id: '019ea0c4-7a80-7000-8000-000000000001',
          start_time: '2026-11-20T10:00:00Z',
          name: 'x'.repeat(300),
        },
      ],
    };
    const old = await fake(OPIK_2_1, { maxRequestSizeBytes: 200 });
    expect((await post(old, '/v1/private/traces/batch', big)).status).toBe(204);
    const current = await fake(OPIK_2_2, { maxRequestSizeBytes: 200 });
    expect(await post(current, '/v1/private/traces/batch', big)).toEqual({
      status: 413,
      body: { code: 413, message: 'Request body exceeds the maximum allowed size of 200 bytes' },
    });
    expect(
      await otlp(current, [span('eee19b7ec3c1b174', { 'input.value': 'x'.repeat(300) })]),
    ).toBe(413);
    expect(current.traces()).toEqual([]);
  });

  it('answers 400 to a Content-Length that is not a number (Node’s parser, before any route)', async () => {
    const f = await fake(OPIK_2_2);
    const { port } = new URL(f.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.end(
          'POST /v1/private/traces/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -5\r\nConnection: close\r\n\r\n',
        );
      });
      let text = '';
      socket.on('data', (d) => (text += d));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
  });
});
