/**
 * Many sidecars, one Opik trace: three collectors share their trace-id memory in a real
 * redis-server (`redis_storage`, `trace_id_memory.storage`). The spans of one OTel trace, sent to
 * all three in shuffled order, land as one Opik trace whose id is Opik's formula applied to the
 * time stored in Redis; the same when a collector is restarted midway; and when Redis stops
 * mid-run and comes back, nothing is lost and the split is bounded to the outage and counted.
 * The explicit-id memory is shared too: Dify's envelopes of one chatflow, each through another
 * collector, in any order, leave Opik as the natural order through one collector does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { redisStorageConfigSchema } from '../../../src/extensions/redis-storage/config.js';
import { redisKey } from '../../../src/extensions/redis-storage/redis-id-store.js';
import type { RedisStorage } from '../../../src/extensions/redis-storage/redis-storage.js';
import { createRedisStorage } from '../../../src/extensions/redis-storage/redis-storage.js';
import { hexToBytes, opikIdFromOtel } from '../../../src/opik-ids/otel.js';
import { encodeTracesRequest } from '../../../src/otlp/proto-codec.js';
import { makeSpan, makeTraces } from '../../../src/pdata/span.js';
import type { Span, Traces } from '../../../src/pdata/traces.js';
import { convertBatch } from '../../../src/receivers/dify/batch.js';
import type { OtlpReceiver } from '../../../src/receivers/otlp/receiver.js';
import type { Collector } from '../../../src/service/collector.js';
import { TestHost, testSettings } from '../../../src/testing/settings.js';
import { FakeOpik } from '../../fake-opik/server.js';
import { chatflowItems } from '../../support/dify-chatflow.js';
import { RedisServer } from '../../support/redis-server.js';
import { componentOf, startYaml } from '../support/pipeline.js';
import { comparable, startExporter } from './harness.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const NAMESPACE = 'default|default project';
const PREFIX = 'shared-test';
const BASE_MS = Date.now() - 60_000;

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function world(options: { persistent?: boolean } = {}) {
  const redis = await RedisServer.start(options);
  cleanup.push(() => redis.destroy());
  const fake = await new FakeOpik().start();
  cleanup.push(() => fake.stop());
  return { redis, fake };
}

/** A sidecar: OTLP/HTTP in, the opik exporter out, its trace-id memory in Redis. */
async function collector(redis: RedisServer, fake: FakeOpik): Promise<Collector> {
  const c = await startYaml(`
extensions:
  redis_storage: { url: "${redis.url(2)}", key_prefix: ${PREFIX}, command_timeout: 300ms }
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
exporters:
  opik:
    endpoint: ${fake.url}/api
    detect_id_overrides: false
    trace_id_memory: { storage: redis_storage, ttl: 3h }
    retry_on_failure: { initial_interval: 10ms, max_interval: 50ms, max_elapsed_time: 5s }
service:
  extensions: [redis_storage]
  telemetry: { metrics: { level: none } }
  pipelines:
    traces: { receivers: [otlp], exporters: [opik] }
`);
  let stopped = false;
  const shutdown = c.shutdown.bind(c);
  const wrapped = Object.assign(c, {
    shutdown: async () => {
      if (!stopped) await shutdown();
      stopped = true;
    },
  });
  cleanup.push(() => wrapped.shutdown());
  return wrapped;
}

/** The trace: a root and 29 descendants, in three levels, starting a few ms apart. */
function traceSpans(): Span[] {
  const id = (i: number) => (i + 1).toString(16).padStart(16, '0');
  return Array.from({ length: 30 }, (_, i) => {
    const start = BigInt(BASE_MS + i * 3) * 1_000_000n;
    return makeSpan({
      traceId: TRACE,
      spanId: id(i),
      parentSpanId: i === 0 ? '' : id(i < 5 ? 0 : i % 5),
      name: `s${i}`,
      startTimeUnixNano: start,
      endTimeUnixNano: start + 1_000_000n,
    });
  });
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );
}

async function send(c: Collector, spans: readonly Span[]): Promise<void> {
  const http = componentOf<OtlpReceiver>(c, 'receiver', 'otlp').addresses.http;
  const res = await fetch(`http://${http}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf' },
    body: encodeTracesRequest(makeTraces(spans)),
  });
  expect(res.status).toBe(200);
}

/** The time the collectors stored for the trace, read from Redis as any client would. */
async function storedTime(redis: RedisServer): Promise<number> {
  const { createClient } = await import('@redis/client');
  const client = createClient({ url: redis.url(2) });
  await client.connect();
  try {
    return Number(await client.get(redisKey(PREFIX, NAMESPACE, 'trace_timestamp', TRACE)));
  } finally {
    client.destroy();
  }
}

/** The Opik ids Opik's own OTLP endpoint gives a span of the trace, for a stored time. */
function opikIds(span: Span, ms: number) {
  const traceId = opikIdFromOtel(hexToBytes(span.traceId), ms);
  const derive = (hex: string) => (hex === '' ? undefined : opikIdFromOtel(hexToBytes(hex), ms));
  return { trace_id: traceId, id: derive(span.spanId), parent_span_id: derive(span.parentSpanId) };
}

/** Each span as Opik stores it, by name. */
function inOpik(fake: FakeOpik) {
  return new Map(
    fake.store
      .rows('spans')
      .map((r) => [
        String(r.name),
        { trace_id: r.trace_id, id: r.id, parent_span_id: r.parent_span_id ?? undefined },
      ]),
  );
}

const metric = async (c: Collector, name: string, labels: Record<string, string> = {}) => {
  const m = c.telemetry.registry.getSingleMetric(name);
  const values = m ? (await m.get()).values : [];
  const hit = values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x));
  return hit?.value ?? 0;
};

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  expect(cond()).toBe(true);
}

describe('three collectors sharing their trace-id memory in Redis', () => {
  it('file the spans of one trace, sent to all three in shuffled order, as one Opik trace', async () => {
    const { redis, fake } = await world();
    const cs = [
      await collector(redis, fake),
      await collector(redis, fake),
      await collector(redis, fake),
    ];
    const spans = traceSpans();
    // Ten requests of three spans, sent at once, each to the next collector: they race to store.
    await Promise.all(chunks(shuffled(spans, 7), 3).map((batch, i) => send(cs[i % 3]!, batch)));
    const ms = await storedTime(redis);
    expect(ms).toBeGreaterThanOrEqual(BASE_MS);
    const stored = inOpik(fake);
    expect(stored.size).toBe(spans.length);
    for (const span of spans) expect(stored.get(span.name), span.name).toEqual(opikIds(span, ms));
    expect(fake.store.rows('traces').map((t) => t.id)).toEqual([opikIds(spans[0]!, ms).trace_id]);
  });

  it('still file one trace when a collector restarts midway', async () => {
    const { redis, fake } = await world();
    const cs = [
      await collector(redis, fake),
      await collector(redis, fake),
      await collector(redis, fake),
    ];
    const spans = traceSpans();
    const batches = chunks(shuffled(spans, 11), 3);
    for (const [i, batch] of batches.slice(0, 5).entries()) await send(cs[i % 3]!, batch);
    await cs[1]!.shutdown();
    cs[1] = await collector(redis, fake);
    for (const [i, batch] of batches.slice(5).entries()) await send(cs[(i + 5) % 3]!, batch);
    const ms = await storedTime(redis);
    const stored = inOpik(fake);
    expect(stored.size).toBe(spans.length);
    for (const span of spans) expect(stored.get(span.name), span.name).toEqual(opikIds(span, ms));
    expect(fake.store.rows('traces')).toHaveLength(1);
  });

  it('lose nothing when Redis stops mid-run; the split is bounded to the outage and counted', async () => {
    const { redis, fake } = await world({ persistent: true });
    const [a, b, c] = [
      await collector(redis, fake),
      await collector(redis, fake),
      await collector(redis, fake),
    ];
    const spans = traceSpans();
    const before = spans.slice(0, 10);
    const during = spans.slice(10, 20);
    const after = spans.slice(20);
    // Before: a and b see the trace (the root first), c does not.
    await send(a!, before.slice(0, 5));
    await send(b!, before.slice(5));
    await redis.stop();
    // During: a and b know the trace from their memory; c gives it a time of its own.
    await send(a!, during.slice(0, 3));
    await send(b!, during.slice(3, 6));
    const unknownToC = during.slice(6);
    await send(c!, unknownToC);
    const storage = (x: Collector) => componentOf<RedisStorage>(x, 'extension', 'redis_storage');
    expect([a, b, c].map((x) => storage(x!).available)).toEqual([false, false, false]);
    await redis.start();
    await until(() => [a, b, c].every((x) => storage(x!).available));
    // After: every collector uses the one stored time again.
    await send(c!, after.slice(0, 4));
    await send(a!, after.slice(4, 7));
    await send(b!, after.slice(7));

    const ms = await storedTime(redis);
    expect(ms).toBe(BASE_MS); // the root's start, stored before the outage
    const stored = inOpik(fake);
    expect(stored.size).toBe(spans.length); // nothing lost
    const cMs = BASE_MS + 16 * 3; // the earliest start c saw during the outage (s16)
    for (const span of spans) {
      const expected = unknownToC.includes(span) ? opikIds(span, cMs) : opikIds(span, ms);
      expect(stored.get(span.name), span.name).toEqual(expected);
    }
    expect(new Set([...stored.values()].map((s) => s.trace_id)).size).toBe(2);
    const split = (x: Collector) =>
      metric(x, 'otelcol_storage_redis_split_total', { space: 'trace_timestamp' });
    expect([await split(a!), await split(b!), await split(c!)]).toEqual([0, 0, 1]);
    expect(await metric(c!, 'otelcol_storage_redis_outages_total')).toBe(1);
  });
});

describe('the explicit-id memory in Redis', () => {
  const items = chatflowItems();
  const batches: Record<string, Traces> = Object.fromEntries(
    Object.entries(items).map(([name, item]) => [name, convertBatch([{ value: item }]).traces]),
  );
  const NATURAL = ['run', 'rows', 'moderation', 'suggestion'];

  /** Opik's state after `order`, each batch through the next of `collectors` exporters. */
  async function finalState(redis: RedisServer | undefined, order: string[], collectors: number) {
    const fake = await new FakeOpik().start();
    cleanup.push(() => fake.stop());
    const prefix = `dify-${Math.random().toString(36).slice(2)}`;
    const exporters = [];
    for (let i = 0; i < collectors; i++) {
      const host = new TestHost();
      if (redis) {
        const storage = createRedisStorage(
          testSettings('extension', 'redis_storage'),
          redisStorageConfigSchema.parse({
            url: redis.url(),
            key_prefix: prefix,
            connect_timeout: '2s',
            command_timeout: '1s',
          }),
        );
        await storage.start(new TestHost());
        cleanup.push(() => storage.shutdown());
        host.extensions.set('redis_storage', storage);
      }
      const overrides = {
        detect_id_overrides: false,
        ingestion_window: { check: false },
        ...(redis ? { trace_id_memory: { storage: 'redis_storage' } } : {}),
      };
      const { exporter } = await startExporter(fake, overrides, {}, host);
      cleanup.push(() => exporter.shutdown());
      exporters.push(exporter);
    }
    for (const [i, name] of order.entries())
      await exporters[i % collectors]!.consume(batches[name]!);
    return { traces: comparable(fake.traces()), spans: comparable(fake.spans()) };
  }

  it('files Dify’s envelopes of one chatflow, each through another collector, as the natural order does', async () => {
    const { redis } = await world();
    const natural = await finalState(undefined, NATURAL, 1);
    expect(natural.spans).toHaveLength(7);
    const orders = [
      ['moderation', 'suggestion', 'rows', 'run'],
      ['rows', 'moderation', 'run', 'suggestion'],
      ['suggestion', 'run', 'moderation', 'rows'],
      ['run', 'moderation', 'rows', 'suggestion'],
    ];
    for (const order of orders) {
      expect({ order, ...(await finalState(redis, order, 3)) }).toEqual({ order, ...natural });
    }
  });
});
