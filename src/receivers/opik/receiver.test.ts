import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { TracesConsumer } from '../../component/types.js';
import { deepMerge } from '../../config/merge.js';
import { PermanentError, RetryableError } from '../../errors/errors.js';
import { getAttribute } from '../../pdata/attributes.js';
import type { Traces } from '../../pdata/traces.js';
import { MemoryProbe, postBuffer } from '../../testing/memory.js';
import { testSettings } from '../../testing/settings.js';
import { TracesSink } from '../../testing/sink.js';
import { opikReceiverFactory } from './factory.js';
import type { OpikReceiver } from './receiver.js';

const running: OpikReceiver[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.shutdown()));
});

async function start(
  overrides: Record<string, unknown> = {},
  next: TracesConsumer = new TracesSink(),
) {
  const settings = testSettings('receiver', 'opik');
  const config = opikReceiverFactory.configSchema.parse(
    deepMerge(
      deepMerge(opikReceiverFactory.createDefaultConfig(), {
        endpoint: '127.0.0.1:0',
        relay: { enabled: false },
      }),
      overrides,
    ),
  );
  const receiver = opikReceiverFactory.create(settings, config, next) as OpikReceiver;
  running.push(receiver);
  await receiver.start();
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const m = (await settings.telemetry.registry.getMetricsAsJSON()).find((x) => x.name === name);
    const v = m?.values.find((x) => Object.entries(labels).every(([k, l]) => x.labels[k] === l));
    return v?.value ?? 0;
  };
  return { origin: `http://${receiver.address}`, metric };
}

const TRACE = '019ad8f1-3a40-7000-8000-000000000001';
const SPAN = '019ad8f1-3a40-7000-8000-000000000002';
const trace = {
  id: TRACE,
  name: 'run',
  start_time: '2026-12-01T09:00:00.123456Z',
  project_name: 'p',
};
const span = {
  id: SPAN,
  trace_id: TRACE,
  name: 'chat',
  type: 'llm',
  start_time: '2026-12-01T09:00:01Z',
};

async function call(
  origin: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(origin + path, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body:
      body === undefined
        ? undefined
        : typeof body === 'string' || body instanceof Buffer
          ? body
          : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
    headers: res.headers,
  };
}

describe('opik receiver: what the SDKs call', () => {
  it('answers the is-alive ping at the host root, under /api and under a prefix, without a key', async () => {
    const { origin } = await start({ api_keys: ['k'] });
    for (const path of ['/is-alive/ping', '/api/is-alive/ping', '/gw/opik/api/is-alive/ping']) {
      expect(await call(origin, 'GET', path)).toMatchObject({
        status: 200,
        body: { message: 'Healthy Server', healthy: true },
      });
    }
  });

  it('checks the key as Opik’s SDKs send it (raw, no Bearer), with Opik’s 401 bodies', async () => {
    const { origin, metric } = await start({ api_keys: ['key-1', 'key-2'] });
    const auth = (h: Record<string, string>) =>
      call(origin, 'POST', '/api/v1/private/auth', undefined, h);
    expect((await auth({ authorization: 'key-2', 'comet-workspace': 'any' })).status).toBe(204);
    expect(await auth({})).toMatchObject({
      status: 401,
      body: { code: 401, message: 'API key should be provided' },
    });
    expect(await auth({ authorization: 'Bearer key-1' })).toMatchObject({
      status: 401,
      body: { code: 401, message: 'User not allowed to access workspace!' },
    });
    const refused = await call(
      origin,
      'POST',
      '/api/v1/private/traces/batch',
      { traces: [trace] },
      { authorization: 'nope' },
    );
    expect(refused.status).toBe(401);
    expect(
      await metric('otelcol_receiver_opik_rejected_requests_total', {
        route: 'traces_batch',
        status: '401',
      }),
    ).toBe(1);
  });

  it('accepts any caller when no key is configured, and names the relay’s workspace', async () => {
    const { origin } = await start({ relay: { workspace: 'team-a' } });
    expect((await call(origin, 'POST', '/v1/private/auth')).status).toBe(204);
    expect(await call(origin, 'GET', '/api/v1/private/auth/workspace')).toMatchObject({
      status: 200,
      body: { workspace_name: 'team-a' },
    });
  });

  it('takes trace and span batches (gzip or not) into the pipeline and answers 204 once they are there', async () => {
    const sink = new TracesSink();
    const { origin, metric } = await start({}, sink);
    const gz = gzipSync(Buffer.from(JSON.stringify({ spans: [span] })));
    expect(
      (
        await call(origin, 'POST', '/api/v1/private/spans/batch', gz, {
          'content-encoding': 'gzip',
        })
      ).status,
    ).toBe(204);
    expect(
      (await call(origin, 'POST', '/v1/private/traces/batch', { traces: [trace] })).status,
    ).toBe(204);
    const [s, t] = sink.spans();
    expect(getAttribute(s!.attributes, 'opik.entity_type')).toBe('span');
    expect(getAttribute(t!.attributes, 'opik.entity_type')).toBe('trace');
    expect(t!.startTimeUnixNano).toBe(
      BigInt(Date.parse('2026-12-01T09:00:00Z')) * 1_000_000n + 123_456_000n,
    );
    expect(
      await metric('otelcol_receiver_opik_items_total', {
        route: 'spans_batch',
        outcome: 'accepted',
      }),
    ).toBe(1);
    expect(await metric('otelcol_receiver_accepted_spans_total')).toBe(2);
  });

  it('answers a single create with 201 and a Location, an update with 204', async () => {
    const sink = new TracesSink();
    const { origin } = await start({}, sink);
    const created = await call(origin, 'POST', '/api/v1/private/traces', trace);
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${origin}/api/v1/private/traces/${TRACE}`);
    const patched = await call(origin, 'PATCH', `/api/v1/private/spans/${SPAN}`, {
      trace_id: TRACE,
      output: { a: 1 },
    });
    expect(patched.status).toBe(204);
    expect(getAttribute(sink.spans()[1]!.attributes, 'opik.update')).toBe(true);
    expect(
      await call(origin, 'PATCH', `/api/v1/private/spans/${SPAN}`, { output: {} }),
    ).toMatchObject({
      status: 422,
      body: { errors: ['traceId must not be null'] },
    });
  });
});

describe('opik receiver: bad input gets Opik’s answer and loses nothing else', () => {
  it.each([
    ['malformed gzip', Buffer.from('not gzip'), { 'content-encoding': 'gzip' }, 400],
    ['malformed JSON', '{"traces": [', {}, 400],
    ['a scalar body', '42', {}, 400],
    ['a non-UUID id', { traces: [{ ...trace, id: 'abc' }] }, {}, 400],
    ['an unreadable time', { traces: [{ ...trace, start_time: 'yesterday' }] }, {}, 400],
    ['tags that are not a list', { traces: [{ ...trace, tags: 'a' }] }, {}, 400],
    ['an unknown source', { traces: [{ ...trace, source: 'mine' }] }, {}, 400],
  ])('%s → %i "Unable to process JSON"', async (_what, body, headers, status) => {
    const sink = new TracesSink();
    const { origin } = await start({}, sink);
    const res = await call(
      origin,
      'POST',
      '/api/v1/private/traces/batch',
      body as never,
      headers as Record<string, string>,
    );
    expect(res.status).toBe(status);
    expect((res.body as { message: string }).message).toMatch(/^Unable to process JSON\. /);
    expect(sink.spans()).toEqual([]);
    // The connection and the receiver still work.
    expect(
      (await call(origin, 'POST', '/api/v1/private/traces/batch', { traces: [trace] })).status,
    ).toBe(204);
  });

  it('validates as Opik does: 422 with every problem, then ids (400), in that order', async () => {
    const { origin } = await start();
    const post = (b: unknown) => call(origin, 'POST', '/api/v1/private/spans/batch', b);
    expect(await post({ spans: [] })).toMatchObject({
      status: 422,
      body: { errors: ['spans size must be between 1 and 1000'] },
    });
    expect(await post({})).toMatchObject({
      status: 422,
      body: { errors: ['spans must not be null'] },
    });
    expect(await post({ spans: Array.from({ length: 1001 }, () => span) })).toMatchObject({
      status: 422,
    });
    const bad = await post({
      spans: [
        { ...span, start_time: undefined, project_name: ' ', total_estimated_cost: -1 },
        { name: 'x', start_time: '1969-12-31T23:59:59Z' },
      ],
    });
    expect(bad.status).toBe(422);
    expect((bad.body as { errors: string[] }).errors).toEqual([
      'spans[0].startTime must not be null',
      'spans[0].projectName must not be blank',
      'spans[0].totalEstimatedCost must be greater than or equal to 0.0',
      'spans[1].startTime must be after or equal 1970-01-01T00:00:00.000000Z and before 2262-04-11T23:47:16.000000000Z',
      'spans[1].traceId must not be null',
    ]);
    expect(
      await post({ spans: [{ ...span, id: '019ad8f1-3a40-4000-8000-000000000002' }] }),
    ).toMatchObject({
      status: 400,
      body: {
        code: 400,
        message: 'Invalid UUID for id',
        details: 'Span id must be a version 7 UUID',
      },
    });
  });

  it('refuses oversized bodies (as sent and decompressed) with Opik’s 413', async () => {
    const { origin } = await start({ max_request_body_size: 2048 });
    const big = { traces: [{ ...trace, input: { text: 'x'.repeat(5000) } }] };
    const expected = {
      code: 413,
      message: 'Request body exceeds the maximum allowed size of 2048 bytes',
    };
    expect(await call(origin, 'POST', '/api/v1/private/traces/batch', big)).toMatchObject({
      status: 413,
      body: expected,
    });
    const bomb = gzipSync(Buffer.from(JSON.stringify(big)));
    expect(bomb.length).toBeLessThan(2048);
    expect(
      await call(origin, 'POST', '/api/v1/private/traces/batch', bomb, {
        'content-encoding': 'gzip',
      }),
    ).toMatchObject({
      status: 413,
      body: expected,
    });
  });

  it('answers unknown routes 404, other methods 405, other content types 415, as Opik (relay off)', async () => {
    const { origin } = await start();
    expect(await call(origin, 'GET', '/api/v1/private/nothing')).toMatchObject({
      status: 404,
      body: { code: 404, message: 'HTTP 404 Not Found' },
    });
    expect(await call(origin, 'GET', '/api/v1/private/traces/batch')).toMatchObject({
      status: 405,
      body: { code: 405, message: 'HTTP 405 Method Not Allowed' },
    });
    expect(
      await call(origin, 'POST', '/api/v1/private/traces/batch', 'x', {
        'content-type': 'text/plain',
      }),
    ).toMatchObject({
      status: 415,
      body: { code: 415, message: 'HTTP 415 Unsupported Media Type' },
    });
  });
});

describe('opik receiver: answers 2xx only when the data is safe', () => {
  const refusing = (err: unknown): TracesConsumer => ({
    consume: () => Promise.reject(err),
  });

  it('a refusal for now is a 429 with RateLimit-Reset and Retry-After', async () => {
    const { origin, metric } = await start(
      {},
      refusing(new RetryableError('ERR_PIPELINE_REFUSED', 'queue full', { retryAfterMs: 3000 })),
    );
    const res = await call(origin, 'POST', '/api/v1/private/traces/batch', { traces: [trace] });
    expect(res.status).toBe(429);
    expect(res.body).toEqual({ code: 429, message: 'Too Many Requests: queue full' });
    expect([res.headers.get('ratelimit-reset'), res.headers.get('retry-after')]).toEqual([
      '3',
      '3',
    ]);
    expect(
      await metric('otelcol_receiver_opik_items_total', {
        route: 'traces_batch',
        outcome: 'refused',
      }),
    ).toBe(1);
  });

  it('a permanent failure is a 500', async () => {
    const { origin } = await start(
      {},
      refusing(new PermanentError('ERR_PIPELINE_FAILED', 'broken')),
    );
    expect(
      await call(origin, 'POST', '/api/v1/private/traces/batch', { traces: [trace] }),
    ).toMatchObject({
      status: 500,
      body: { code: 500, message: 'broken' },
    });
  });

  it('a pipeline that does not answer within ack_timeout gets the client to re-send (429)', async () => {
    const stuck: TracesConsumer = { consume: (_t: Traces) => new Promise(() => undefined) };
    const { origin } = await start({ ack_timeout: '50ms' }, stuck);
    const res = await call(origin, 'POST', '/api/v1/private/spans/batch', { spans: [span] });
    expect(res.status).toBe(429);
    expect(res.headers.get('ratelimit-reset')).toBe('1');
  });
});

describe('opik receiver memory', () => {
  it('lets go of the body and its parsed objects once it made the spans, before the pipeline answers', async () => {
    // An 8 MiB input: the body (Buffer memory), the parsed object (heap), and the span's
    // input.value written from it (heap).
    const text = 'x'.repeat(8 * 1024 * 1024);
    const body = Buffer.from(JSON.stringify({ spans: [{ ...span, input: { prompt: text } }] }));
    const probe = new MemoryProbe();
    const { origin } = await start({}, probe);
    await probe.baseline();
    const status = await postBuffer(
      `${origin}/api/v1/private/spans/batch`,
      body,
      'application/json',
    );
    expect(status).toBe(204);
    expect(probe.batches).toHaveLength(1);
    expect(probe.held.arrayBuffers).toBeLessThan(body.length / 4);
    // The span's input.value, and not the parsed request besides it.
    expect(probe.held.heapUsed).toBeLessThan(text.length * 1.5);
  });
});
