/**
 * The `redis_storage` extension against a real redis-server: it starts without Redis, answers
 * from memory while Redis is down, and reconciles once Redis is back; the batches of ids the
 * opik exporter asks for travel in one round trip.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RedisServer, type RedisServerOptions } from '../../../test/support/redis-server.js';
import { assignIds } from '../../exporters/opik/assign-ids.js';
import { makeSpan, makeTraces } from '../../pdata/span.js';
import type { IdStore } from '../../storage/id-store.js';
import { createTestPki } from '../../testing/certs.js';
import { capturingLogger } from '../../testing/senders.js';
import { TestHost, testSettings } from '../../testing/settings.js';
import { metricValue } from '../../testing/storage-host.js';
import { createDefaultConfig, redisStorageConfigSchema } from './config.js';
import { createRedisClient, evalOn } from './connection.js';
import { createRedisStorage } from './redis-storage.js';

const OPTIONS = { ttlMs: 60_000, maxEntries: 1000, namespace: 'ws|p' };
const OWNER = { kind: 'exporter' as const, id: 'opik' };
const m = (entries: Record<string, string>) => new Map(Object.entries(entries));

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function server(options: RedisServerOptions = {}) {
  const s = await RedisServer.start(options);
  cleanup.push(() => s.destroy());
  return s;
}

async function extension(url: string, extra: Record<string, unknown> = {}) {
  const { logger, lines } = capturingLogger();
  const settings = { ...testSettings('extension', 'redis_storage'), logger };
  const config = redisStorageConfigSchema.parse({
    ...createDefaultConfig(),
    url,
    connect_timeout: '1s',
    command_timeout: '200ms',
    ...extra,
  });
  const storage = createRedisStorage(settings, config);
  const host = new TestHost();
  cleanup.push(() => storage.shutdown());
  await storage.start(host);
  const metric = (name: string, labels: Record<string, string> = {}) =>
    metricValue(settings, name, { storage: 'redis_storage', ...labels });
  return { storage, host, lines, metric };
}

async function until(cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What another collector sees in Redis: a plain client on the same database. */
async function reader(s: RedisServer): Promise<IdStore> {
  const { redisIdStore } = await import('./redis-id-store.js');
  const client = await createRedisClient(
    redisStorageConfigSchema.parse({ ...createDefaultConfig(), url: s.url() }),
    false,
  );
  await client.connect();
  cleanup.push(async () => client.destroy());
  return redisIdStore(evalOn(client), 'dify-opik-collector', OPTIONS);
}

describe('redis_storage', () => {
  it('starts without Redis, answers from memory, and hands its entries over once Redis is up', async () => {
    const s = await server();
    await s.stop();
    const { storage, host, lines, metric } = await extension(s.url());
    expect(storage.available).toBe(false);
    expect(host.reports.at(-1)).toMatchObject({ state: 'recoverable_error' });
    expect(lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([
      'redis_storage: Redis is unavailable; Opik ids come from local memory until it answers again',
    ]);
    const store = storage.idStore(OWNER, OPTIONS);
    expect(await store.putIfAbsent('trace_timestamp', m({ t1: '100' }))).toEqual(m({ t1: '100' }));
    await s.start();
    await until(() => storage.available);
    expect(host.reports.at(-1)).toEqual({ state: 'ok' });
    expect(await (await reader(s)).get('trace_timestamp', ['t1'])).toEqual(m({ t1: '100' }));
    expect(await metric('otelcol_storage_redis_available')).toBe(1);
    expect(await metric('otelcol_storage_redis_reconciled_entries_total')).toBe(1);
    expect(await metric('otelcol_storage_redis_local_calls_total')).toBe(1);
  });

  it('keeps the times it knew through an outage, and restores them to a Redis that lost them', async () => {
    const s = await server();
    const a = await extension(s.url());
    const b = await extension(s.url());
    const storeA = a.storage.idStore(OWNER, OPTIONS);
    const storeB = b.storage.idStore(OWNER, OPTIONS);
    await storeA.putIfAbsent('trace_timestamp', m({ known: '100' }));
    await s.stop(); // not persistent: Redis comes back empty
    expect(await storeA.putIfAbsent('trace_timestamp', m({ known: '999', fresh: '5' }))).toEqual(
      m({ known: '100', fresh: '5' }),
    );
    // The other collector saw `fresh` during the outage too, with another first time.
    expect(await storeB.putIfAbsent('trace_timestamp', m({ fresh: '6' }))).toEqual(
      m({ fresh: '6' }),
    );
    expect(a.storage.available).toBe(false);
    await s.start();
    await until(() => a.storage.available && b.storage.available);
    const shared = await (await reader(s)).get('trace_timestamp', ['known', 'fresh']);
    expect(shared.get('known')).toBe('100');
    expect(['5', '6']).toContain(shared.get('fresh'));
    // Both use the one shared time from now on; the trace is split once, and counted once.
    expect(await storeA.get('trace_timestamp', ['fresh'])).toEqual(
      m({ fresh: shared.get('fresh')! }),
    );
    expect(await storeB.get('trace_timestamp', ['fresh'])).toEqual(
      m({ fresh: shared.get('fresh')! }),
    );
    const split = async (x: typeof a) =>
      x.metric('otelcol_storage_redis_split_total', { space: 'trace_timestamp' });
    expect((await split(a)) + (await split(b))).toBe(1);
    expect(await a.metric('otelcol_storage_redis_outages_total')).toBe(1);
  });

  it('connects over rediss:// with the tls settings: the CA to trust, a client certificate', async () => {
    const pki = createTestPki();
    cleanup.push(async () => pki.remove());
    const s = await server({
      tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert, authClients: true },
    });
    const { storage } = await extension(s.url(), {
      tls: { ca_file: pki.caCert, cert_file: pki.clientCert, key_file: pki.clientKey },
    });
    expect(storage.available).toBe(true);
    const store = storage.idStore(OWNER, OPTIONS);
    expect(await store.putIfAbsent('opik_trace', m({ t: 'T' }))).toEqual(m({ t: 'T' }));
    expect(storage.available).toBe(true);
  });

  it('never logs the password of the URL', async () => {
    const s = await server({ password: 'hunter2-secret' });
    await s.stop();
    const { lines } = await extension(s.url());
    expect(lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(lines)).not.toContain('hunter2-secret');
    expect(JSON.stringify(lines)).toContain('[REDACTED]');
  });

  it('sends the store calls of one batch of spans in one round trip, however many traces', async () => {
    const s = await server();
    const { storage } = await extension(s.url());
    let issued = 0;
    let issuedBeforeFirstReply: number | undefined;
    const store = storage.idStore(OWNER, OPTIONS);
    // The same store on a client of its own, counting the scripts sent before the first reply.
    const counted = await createRedisClient(
      redisStorageConfigSchema.parse({ ...createDefaultConfig(), url: s.url() }),
      false,
    );
    await counted.connect();
    cleanup.push(async () => counted.destroy());
    const evalScript = evalOn(counted);
    const { redisIdStore } = await import('./redis-id-store.js');
    const measured = redisIdStore(
      (script, keys, args) => {
        issued++;
        const reply = evalScript(script, keys, args);
        void reply.then(() => {
          issuedBeforeFirstReply ??= issued;
        });
        return reply;
      },
      'dify-opik-collector',
      OPTIONS,
    );
    const spans = Array.from({ length: 200 }, (_, i) =>
      makeSpan({
        traceId: (Math.floor(i / 10) + 1).toString(16).padStart(32, '0'),
        spanId: (i + 1).toString(16).padStart(16, '0'),
        parentSpanId: i % 10 === 0 ? '' : (i - (i % 10) + 1).toString(16).padStart(16, '0'),
        name: `span ${i}`,
      }),
    );
    await assignIds(makeTraces(spans), measured);
    expect(issued).toBeGreaterThan(0);
    expect(issuedBeforeFirstReply).toBe(issued);
    // The same batch through the extension's own store gives the same ids.
    const a = await assignIds(makeTraces(spans), store);
    const b = await assignIds(makeTraces(spans), measured);
    expect(a).toEqual(b);
  });
});
