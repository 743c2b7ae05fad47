import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { TracesConsumer } from '../../component/types.js';
import { PermanentError, RetryableError } from '../../errors/errors.js';
import { bearerTokenAuthExtensionFactory } from '../../extensions/bearertokenauth/factory.js';
import type { Traces } from '../../pdata/traces.js';
import { MemoryProbe, postBuffer } from '../../testing/memory.js';
import { TestHost, testSettings } from '../../testing/settings.js';
import { TracesSink } from '../../testing/sink.js';
import { difyReceiverFactory } from './factory.js';
import type { DifyReceiver } from './receiver.js';
import { fixture, fixtureText } from './test-fixtures.js';

const running: DifyReceiver[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.shutdown()));
});

async function start(
  overrides: Record<string, unknown> = {},
  next: TracesConsumer = new TracesSink(),
  host = new TestHost(),
) {
  const settings = testSettings('receiver', 'dify');
  const config = difyReceiverFactory.configSchema.parse({
    ...difyReceiverFactory.createDefaultConfig(),
    endpoint: '127.0.0.1:0',
    ...overrides,
  });
  const receiver = difyReceiverFactory.create(settings, config, next) as DifyReceiver;
  running.push(receiver);
  await receiver.start(host);
  const url = `http://${receiver.address}/v1/dify/traces`;
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const m = (await settings.telemetry.registry.getMetricsAsJSON()).find((x) => x.name === name);
    const v = m?.values.find((x) => Object.entries(labels).every(([k, l]) => x.labels[k] === l));
    return v?.value ?? 0;
  };
  return { receiver, url, metric };
}

const post = (url: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

const message = fixtureText('message_chat.json');
const jsonError = (text: string) => {
  try {
    JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  return '';
};
const bad = { ...fixture('message_chat.json'), trace_info: null };

describe('dify receiver over HTTP', () => {
  it('accepts one envelope and answers with the counts once the pipeline took the spans', async () => {
    const sink = new TracesSink();
    const { url, metric } = await start({}, sink);
    const res = await post(url, message);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      accepted_items: 1,
      accepted_spans: 2,
      skipped_items: 0,
      rejected_items: 0,
      errors: [],
    });
    expect(sink.spans().map((s) => s.name)).toEqual(['message', 'llm']);
    const rs = sink.batches[0]!.resourceSpans[0]!;
    expect(rs.resource.attributes).toEqual([{ key: 'service.name', value: 'dify' }]);
    expect(rs.scopeSpans[0]!.scope.name).toBe('dify');
    expect(
      await metric('otelcol_receiver_accepted_spans_total', {
        receiver: 'dify',
        transport: 'http',
      }),
    ).toBe(2);
  });

  it('delivers the valid items of a batch and reports each bad one by index (partial success)', async () => {
    const sink = new TracesSink();
    const { url, metric } = await start({}, sink);
    const body = JSON.stringify([
      JSON.parse(message),
      bad,
      fixture('edge_empty_trace_info.json'),
      7,
    ]);
    const res = await post(url, body);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      accepted_items: 1,
      accepted_spans: 2,
      skipped_items: 1,
      rejected_items: 2,
      errors: [
        { index: 1, message: 'trace_info: expected an object, got null' },
        {
          index: 3,
          message:
            'expected an object (a Dify envelope or a node-executions document), got number 7',
        },
      ],
    });
    expect(sink.spanCount).toBe(2);
    expect(await metric('otelcol_receiver_failed_spans_total')).toBe(2);
    expect(
      await metric('otelcol_receiver_skipped_envelopes_total', { trace_info_type: 'dict' }),
    ).toBe(1);
  });

  it('answers 400 with every problem when no item is usable, and delivers nothing', async () => {
    const sink = new TracesSink();
    const { url } = await start({}, sink);
    const res = await post(url, JSON.stringify([bad, bad]));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      accepted_items: 0,
      accepted_spans: 0,
      skipped_items: 0,
      rejected_items: 2,
      errors: [
        { index: 0, message: 'trace_info: expected an object, got null' },
        { index: 1, message: 'trace_info: expected an object, got null' },
      ],
      error: 'no item of the request could be converted',
    });
    expect(sink.batches).toEqual([]);
  });

  it('answers 200 to skipped types alone and counts them under a bounded label', async () => {
    const sink = new TracesSink();
    const { url, metric } = await start({}, sink);
    const body = JSON.stringify([
      fixture('ee_prompt_generation.json'),
      { app_id: 'a', trace_info_type: 'Whatever', trace_info: null },
    ]);
    const res = await post(url, body);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted_items: 0, skipped_items: 2 });
    expect(sink.batches).toEqual([]);
    expect(
      await metric('otelcol_receiver_skipped_envelopes_total', {
        trace_info_type: 'PromptGenerationTraceInfo',
      }),
    ).toBe(1);
    expect(
      await metric('otelcol_receiver_skipped_envelopes_total', { trace_info_type: 'other' }),
    ).toBe(1);
  });

  it('reads NDJSON, a bad line being that item only', async () => {
    const sink = new TracesSink();
    const { url } = await start({}, sink);
    const body = `${JSON.stringify(JSON.parse(message))}\n{not json\n\n${JSON.stringify(fixture('edge_empty_trace_info.json'))}\n`;
    const res = await post(url, body, { 'content-type': 'application/x-ndjson' });
    expect(res.status).toBe(200);
    const reply = (await res.json()) as { errors: Array<{ index: number; message: string }> };
    expect(reply).toMatchObject({ accepted_items: 1, skipped_items: 1, rejected_items: 1 });
    expect(reply.errors[0]!.index).toBe(1);
    expect(reply.errors[0]!.message).toMatch(/^line 2 is not valid JSON: /);
  });

  it('reads a gzip body', async () => {
    const sink = new TracesSink();
    const { url } = await start({}, sink);
    const res = await post(url, gzipSync(message), { 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(sink.spanCount).toBe(2);
  });

  it('accepts an empty array without calling the pipeline', async () => {
    const sink = new TracesSink();
    const { url } = await start({}, sink);
    const res = await post(url, '[]');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted_items: 0, rejected_items: 0 });
    expect(sink.batches).toEqual([]);
  });

  it.each([
    [
      'a body that is not JSON',
      '{"app_id": ',
      `the body is not valid JSON: ${jsonError('{"app_id": ')}`,
    ],
    [
      'a JSON scalar',
      '"hello"',
      'the body must be a JSON object (one envelope) or a JSON array of envelopes',
    ],
  ])('refuses %s with 400', async (_case, body, error) => {
    const { url } = await start();
    const res = await post(url, body);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error });
  });

  it.each<
    [string, (url: string) => Promise<Response>, number, string, Record<string, string>, string]
  >([
    [
      'another path',
      (u) => post(u.replace('/v1/dify/traces', '/v1/traces'), message),
      404,
      'no such path /v1/traces; POST envelopes to /v1/dify/traces',
      {},
      'ERR_NOT_FOUND',
    ],
    [
      'GET',
      (u) => fetch(u),
      405,
      'method GET not allowed; use POST',
      { allow: 'POST' },
      'ERR_METHOD_NOT_ALLOWED',
    ],
    [
      'text/plain',
      (u) => post(u, message, { 'content-type': 'text/plain' }),
      415,
      'unsupported Content-Type "text/plain"; send one of application/json, application/x-ndjson, application/ndjson, application/jsonl, application/x-jsonlines',
      {},
      'ERR_UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'zstd',
      (u) => post(u, message, { 'content-encoding': 'zstd' }),
      415,
      'unsupported Content-Encoding "zstd"; use one of identity, gzip, x-gzip, deflate, zlib, br',
      {},
      'ERR_UNSUPPORTED_ENCODING',
    ],
  ])(
    'answers %s with its status and counts the bad request',
    async (_case, send, status, error, headers, code) => {
      const { url, metric } = await start();
      const res = await send(url);
      expect(res.status).toBe(status);
      expect(await res.json()).toEqual({ error });
      for (const [k, v] of Object.entries(headers)) expect(res.headers.get(k)).toBe(v);
      expect(await metric('otelcol_receiver_bad_requests_total', { code })).toBe(1);
    },
  );

  it('answers 413 for a body over max_request_body_size, as sent and after decompression', async () => {
    const { url } = await start({ max_request_body_size: 1000 });
    const big = await post(url, message);
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({
      error: 'request body exceeds max_request_body_size (1000 bytes) as sent',
    });
    const bomb = await post(url, gzipSync(`[${' '.repeat(5000)}]`), { 'content-encoding': 'gzip' });
    expect(bomb.status).toBe(413);
    expect(await bomb.json()).toEqual({
      error: 'request body exceeds max_request_body_size (1000 bytes) after decompression',
    });
  });

  it.each([
    [undefined, 401],
    ['Bearer wrong', 401],
    ['Basic s3cret', 401],
    ['Bearer s3cret', 200],
    ['bearer   s3cret', 200],
  ])('with auth, Authorization %j gets %d', async (authorization, status) => {
    const host = new TestHost();
    const auth = bearerTokenAuthExtensionFactory.create(
      testSettings('extension', 'bearertokenauth'),
      bearerTokenAuthExtensionFactory.configSchema.parse({
        ...bearerTokenAuthExtensionFactory.createDefaultConfig(),
        token: 's3cret',
      }),
    );
    host.extensions.set('bearertokenauth', auth);
    const { url } = await start(
      { auth: { authenticator: 'bearertokenauth' } },
      new TracesSink(),
      host,
    );
    const res = await post(url, message, authorization ? { authorization } : {});
    expect(res.status).toBe(status);
    if (status === 401) {
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      const { error } = (await res.json()) as { error: string };
      expect(error).toMatch(
        /^(missing or empty Authorization header|the Authorization header must be "Bearer <token>"|the bearer token is not valid)$/,
      );
      expect(error).not.toContain('wrong');
    }
  });

  it.each<[string, unknown, number, string | null]>([
    [
      'retryable',
      new RetryableError('ERR_PIPELINE_REFUSED', 'queue is full', { retryAfterMs: 2500 }),
      503,
      '3',
    ],
    [
      'throttled',
      new RetryableError('ERR_PIPELINE_REFUSED', 'slow down', { throttled: true }),
      429,
      '1',
    ],
    ['unclassified', new Error('boom'), 503, '1'],
    ['permanent', new PermanentError('ERR_PIPELINE_FAILED', 'cannot ever'), 500, null],
  ])(
    'maps a %s pipeline error to its status, counting the spans refused',
    async (_case, error, status, retryAfter) => {
      const sink = new TracesSink();
      sink.failWith = error;
      const { url, metric } = await start({}, sink);
      const res = await post(url, message);
      expect(res.status).toBe(status);
      expect(res.headers.get('retry-after')).toBe(retryAfter);
      expect(await res.json()).toMatchObject({
        accepted_items: 0,
        accepted_spans: 0,
        error: (error as Error).message,
      });
      expect(await metric('otelcol_receiver_refused_spans_total')).toBe(2);
      expect(await metric('otelcol_receiver_accepted_spans_total')).toBe(0);
    },
  );

  it('answers only after the pipeline resolved', async () => {
    let release!: () => void;
    let entered!: () => void;
    const consumed = new Promise<void>((r) => {
      entered = r;
    });
    const next: TracesConsumer = {
      consume: (_t: Traces) =>
        new Promise<void>((resolve) => {
          release = resolve;
          entered();
        }),
    };
    const { url } = await start({}, next);
    let answered = false;
    const response = post(url, message).then((r) => {
      answered = true;
      return r;
    });
    await consumed;
    expect(answered).toBe(false);
    release();
    expect((await response).status).toBe(200);
  });

  it('stops listening on shutdown, and a second shutdown is harmless', async () => {
    const { receiver, url } = await start();
    await receiver.shutdown();
    await receiver.shutdown();
    await expect(post(url, message)).rejects.toThrow();
  });
});

describe('dify receiver: one bad item never fails its batch', () => {
  const deep = (levels: number) => {
    const envelope = fixture('message_chat.json') as { trace_info: Record<string, unknown> };
    let nested: unknown = 'leaf';
    for (let i = 0; i < levels; i++) nested = [nested];
    return { ...envelope, trace_info: { ...envelope.trace_info, inputs: { deep: nested } } };
  };

  it.each([
    ['nested 4,000 levels deep', deep(4000), /nested deeper than 64 levels/],
    [
      'with a token count beyond 64 bits',
      (() => {
        const e = fixture('message_chat.json') as { trace_info: Record<string, unknown> };
        return { ...e, trace_info: { ...e.trace_info, message_tokens: 1e30 } };
      })(),
      /out of range for a 64-bit integer/,
    ],
    [
      'with an infinite elapsed time',
      (() => {
        const e = fixture('workflow_app.json') as { trace_info: Record<string, unknown> };
        return {
          ...e,
          trace_info: { ...e.trace_info, end_time: null, workflow_run_elapsed_time: 1e308 },
        };
      })(),
      /out of range|cannot be converted/,
    ],
  ])(
    'an item %s is rejected by itself; the others are delivered (200)',
    async (_n, item, problem) => {
      const sink = new TracesSink();
      const { url } = await start({}, sink);
      const good = fixture('message_chat.json');
      for (const [framing, body] of [
        ['application/json', JSON.stringify([good, item, good])],
        ['application/x-ndjson', [good, item, good].map((x) => JSON.stringify(x)).join('\n')],
      ] as const) {
        sink.reset();
        const res = await post(url, body, { 'content-type': framing });
        expect(res.status).toBe(200);
        const answer = (await res.json()) as {
          accepted_items: number;
          errors: Array<{ index: number; message: string }>;
        };
        expect(answer.accepted_items).toBe(2);
        expect(answer.errors).toHaveLength(1);
        expect(answer.errors[0]!.index).toBe(1);
        expect(answer.errors[0]!.message).toMatch(problem);
        expect(sink.spanCount).toBeGreaterThan(0);
      }
    },
  );

  it('lists at most 100 problems, each short, with the total: 1 MB of bad lines gets a small answer', async () => {
    const { url } = await start();
    const line = `{"bad": ${'['.repeat(10)}${'x'.repeat(2000)}`;
    const body = Array.from({ length: 500 }, () => line).join('\n');
    const res = await post(url, body, { 'content-type': 'application/x-ndjson' });
    expect(res.status).toBe(400);
    const text = await res.text();
    const answer = JSON.parse(text) as Record<string, unknown>;
    expect(answer).toMatchObject({ rejected_items: 500, errors_omitted: 400 });
    expect((answer.errors as unknown[]).length).toBe(100);
    expect(text.length).toBeLessThan(100 * 1100);
  });

  it('refuses a request with more spans than max_spans_per_request with 413, keeping nothing', async () => {
    const sink = new TracesSink();
    const { url } = await start({ limits: { max_spans_per_request: 3 } }, sink);
    const res = await post(
      url,
      JSON.stringify([fixture('message_chat.json'), fixture('message_chat.json')]),
    );
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error:
        'the request holds more than 3 spans (limits::max_spans_per_request); send smaller batches',
    });
    expect(sink.batches).toEqual([]);
  });

  it('cuts values longer than max_attribute_value_length and counts them', async () => {
    const sink = new TracesSink();
    const { url, metric } = await start({ limits: { max_attribute_value_length: 50 } }, sink);
    const res = await post(url, message);
    expect(res.status).toBe(200);
    const longest = Math.max(
      ...sink
        .spans()
        .flatMap((s) =>
          s.attributes.map((a) => (typeof a.value === 'string' ? a.value.length : 0)),
        ),
    );
    expect(longest).toBe(50);
    expect(
      await metric('otelcol_receiver_truncated_total', { limit: 'max_attribute_value_length' }),
    ).toBeGreaterThan(0);
  });
});

describe('dify receiver: body shapes', () => {
  it.each([
    ['5', 400, 'the body must be a JSON object (one envelope) or a JSON array of envelopes'],
    ['[5]', 400, undefined],
  ])('%s is answered %i', async (body, status, error) => {
    const { url } = await start();
    const res = await post(url, body);
    expect(res.status).toBe(status);
    const answer = (await res.json()) as { error?: string; rejected_items?: number };
    if (error) expect(answer.error).toBe(error);
    else expect(answer.rejected_items).toBe(1);
  });
});

describe('dify receiver memory', () => {
  it('lets go of the body and its parsed envelopes once converted, before the pipeline answers', async () => {
    // 8 MiB of workflow inputs: the body (Buffer memory), the parsed envelope (heap), and the
    // span's input.value made from it (heap).
    const text = 'x'.repeat(8 * 1024 * 1024);
    const envelope = fixture('workflow_app.json') as { trace_info: Record<string, unknown> };
    envelope.trace_info.workflow_run_inputs = { query: text };
    const body = Buffer.from(JSON.stringify([envelope]));
    const probe = new MemoryProbe();
    const { url } = await start({}, probe);
    await probe.baseline();
    expect(await postBuffer(url, body, 'application/json')).toBe(200);
    expect(probe.batches).toHaveLength(1);
    expect(probe.held.arrayBuffers).toBeLessThan(body.length / 4);
    // The span's input.value, and not the parsed envelope besides it.
    expect(probe.held.heapUsed).toBeLessThan(text.length * 1.5);
  });
});
