import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../../errors/errors.js';
import { decodeStatusJson, encodeTracesJson } from '../../otlp/json-codec.js';
import { decodeStatus, encodeTracesRequest } from '../../otlp/proto-codec.js';
import { MemoryProbe, oneBigSpan, postBuffer } from '../../testing/memory.js';
import { everyFieldTraces } from '../../testing/otlp-fixtures.js';
import { TestHost, testSettings } from '../../testing/settings.js';
import { TracesSink } from '../../testing/sink.js';
import { otlpConfigSchema } from './config.js';
import { createOtlpReceiver, type OtlpReceiver } from './receiver.js';

const LIMIT = 64 * 1024;
let sink: TracesSink;
let receiver: OtlpReceiver;
let url: string;

beforeEach(async () => {
  sink = new TracesSink();
  const config = otlpConfigSchema.parse({
    protocols: { http: { endpoint: '127.0.0.1:0', max_request_body_size: LIMIT } },
  });
  receiver = createOtlpReceiver(testSettings('receiver', 'otlp'), config, sink);
  await receiver.start(new TestHost());
  url = `http://${receiver.addresses.http}/v1/traces`;
});

afterEach(() => receiver.shutdown());

const protobuf = () => Buffer.from(encodeTracesRequest(everyFieldTraces()));
const post = (
  body: Uint8Array | string,
  headers: Record<string, string>,
  target = url,
  method = 'POST',
) => fetch(target, { method, body: method === 'GET' ? undefined : body, headers });

describe('otlp receiver over HTTP', () => {
  it('accepts protobuf and answers an empty protobuf response', async () => {
    const res = await post(protobuf(), { 'content-type': 'application/x-protobuf' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
    expect(sink.batches).toEqual([everyFieldTraces()]);
  });

  it('accepts OTLP/JSON and answers in JSON', async () => {
    const res = await post(encodeTracesJson(everyFieldTraces()), {
      'content-type': 'application/json; charset=utf-8',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({});
    expect(sink.batches).toEqual([everyFieldTraces()]);
  });

  it('decompresses a gzip body', async () => {
    const res = await post(gzipSync(protobuf()), {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'gzip',
    });
    expect(res.status).toBe(200);
    expect(sink.spanCount).toBeGreaterThan(0);
  });

  it('accepts an empty protobuf body as an empty request', async () => {
    const res = await post(new Uint8Array(0), { 'content-type': 'application/x-protobuf' });
    expect(res.status).toBe(200);
    expect(sink.batches).toEqual([]);
  });

  it.each([
    [
      'truncated protobuf',
      () => protobuf().subarray(0, 100),
      'application/x-protobuf',
      {},
      400,
      /^invalid protobuf: /,
    ],
    [
      'JSON with a wrong type',
      () => '{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":5}]}]}]}',
      'application/json',
      {},
      400,
      /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.(traceId|name): /,
    ],
    ['an empty JSON body', () => '', 'application/json', {}, 400, /^invalid JSON/],
    [
      'a body over the limit',
      () => Buffer.alloc(LIMIT + 1),
      'application/x-protobuf',
      {},
      413,
      /max_request_body_size \(65536 bytes\) as sent/,
    ],
    [
      'a gzip bomb',
      () => gzipSync(Buffer.alloc(50 * LIMIT)),
      'application/x-protobuf',
      { 'content-encoding': 'gzip' },
      413,
      /after decompression/,
    ],
    [
      'a corrupt gzip body',
      () => Buffer.from('not gzip at all'),
      'application/x-protobuf',
      { 'content-encoding': 'gzip' },
      400,
      /invalid gzip body/,
    ],
    [
      'an unknown Content-Encoding',
      () => protobuf(),
      'application/x-protobuf',
      { 'content-encoding': 'lzma' },
      415,
      /unsupported Content-Encoding "lzma"/,
    ],
  ])(
    'rejects %s with a status and a clear message, keeping nothing',
    async (_n, body, type, extra, status, message) => {
      const res = await post(body(), { 'content-type': type, ...extra });
      expect(res.status).toBe(status);
      const bytes = new Uint8Array(await res.arrayBuffer());
      const decoded = type === 'application/json' ? decodeStatusJson(bytes) : decodeStatus(bytes);
      expect(decoded.message).toMatch(message);
      expect(sink.batches).toEqual([]);
    },
  );

  it.each([
    [
      'a wrong content type',
      'POST',
      url,
      { 'content-type': 'text/plain' },
      415,
      /unsupported media type "text\/plain"/,
    ],
    ['a GET', 'GET', url, {}, 405, /method not allowed, supported: \[POST\]/],
    [
      'another path',
      'POST',
      'PATH',
      { 'content-type': 'application/json' },
      404,
      /POST \/v1\/traces/,
    ],
  ])('answers %s in plain text', async (_n, method, target, headers, status, message) => {
    const res = await post(
      '{}',
      headers,
      target === 'PATH' ? url.replace('/v1/traces', '/v1/logs') : url,
      method,
    );
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toMatch(message);
    if (status === 405) expect(res.headers.get('allow')).toBe('POST');
  });

  it.each([
    [
      'a retryable refusal',
      new RetryableError('ERR_PIPELINE_REFUSED', 'memory is tight', { retryAfterMs: 3000 }),
      503,
      '3',
    ],
    [
      'a throttle',
      new RetryableError('ERR_PIPELINE_REFUSED', 'queue is full', { throttled: true }),
      429,
      '1',
    ],
    ['a permanent failure', new PermanentError('ERR_EXPORT_REJECTED', 'rejected'), 500, null],
  ])('passes %s back to the client', async (_n, error, status, retryAfter) => {
    sink.failWith = error;
    const res = await post(protobuf(), { 'content-type': 'application/x-protobuf' });
    expect(res.status).toBe(status);
    expect(res.headers.get('retry-after')).toBe(retryAfter);
    expect(decodeStatus(new Uint8Array(await res.arrayBuffer())).message).toBe(
      (error as Error).message,
    );
  });

  it('stops listening once shut down', async () => {
    const stopping = receiver.shutdown();
    await stopping;
    await expect(post(protobuf(), { 'content-type': 'application/x-protobuf' })).rejects.toThrow();
  });
});

describe('otlp receiver with dify_aliyun_compat', () => {
  it('takes Dify Aliyun provider’s path and answers its HEAD probe with 405', async () => {
    const sink2 = new TracesSink();
    const config = otlpConfigSchema.parse({
      protocols: { http: { endpoint: '127.0.0.1:0', dify_aliyun_compat: true } },
    });
    const r = createOtlpReceiver(testSettings('receiver', 'otlp'), config, sink2);
    await r.start(new TestHost());
    try {
      const base = `http://${r.addresses.http}`;
      const head = await fetch(`${base}/`, { method: 'HEAD' });
      expect([head.status, head.headers.get('allow')]).toEqual([405, 'POST']);
      const res = await fetch(`${base}/adapt_abc123/api/otlp/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: Buffer.from(encodeTracesRequest(everyFieldTraces())),
      });
      expect(res.status).toBe(200);
      expect(sink2.spanCount).toBeGreaterThan(0);
    } finally {
      await r.shutdown();
    }
  });

  it('keeps the Collector’s answers without it: HEAD on / is 404', async () => {
    const res = await fetch(url.replace('/v1/traces', '/'), { method: 'HEAD' });
    expect(res.status).toBe(404);
  });
});

describe('otlp receiver memory', () => {
  it('lets go of the request body once it is decoded, before the pipeline answers', async () => {
    // 8 MiB of body (Buffer memory) that becomes one 8 MiB string (V8 heap) when decoded.
    const body = Buffer.from(encodeTracesRequest(oneBigSpan(8 * 1024 * 1024)));
    const probe = new MemoryProbe();
    const config = otlpConfigSchema.parse({ protocols: { http: { endpoint: '127.0.0.1:0' } } });
    const r = createOtlpReceiver(testSettings('receiver', 'otlp'), config, probe);
    await r.start(new TestHost());
    try {
      await probe.baseline();
      const status = await postBuffer(
        `http://${r.addresses.http}/v1/traces`,
        body,
        'application/x-protobuf',
      );
      expect(status).toBe(200);
      expect(probe.batches).toHaveLength(1);
      expect(probe.held.arrayBuffers).toBeLessThan(body.length / 4);
    } finally {
      await r.shutdown();
    }
  });
});
