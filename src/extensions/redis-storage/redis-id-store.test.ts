import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisServer } from '../../../test/support/redis-server.js';
import { describeIdStore } from '../../testing/id-store-contract.js';
import { redisStorageConfigSchema } from './config.js';
import { createRedisClient, evalOn, type RedisClient } from './connection.js';
import { redisIdStore, redisKey } from './redis-id-store.js';

let server: RedisServer;
let client: RedisClient;
let stores = 0;

beforeAll(async () => {
  server = await RedisServer.start();
  client = await createRedisClient(
    redisStorageConfigSchema.parse({
      url: server.url(2),
      key_prefix: 'test',
      connect_timeout: '2s',
      command_timeout: '1s',
    }),
    false,
  );
  await client.connect();
});

afterAll(async () => {
  client?.destroy();
  await server?.destroy();
});

// Each store its own prefix: a fresh, empty store on the one server.
describeIdStore(
  'redis_storage (Redis)',
  (options) => redisIdStore(evalOn(client), `contract-${++stores}`, options),
  { realTimeTtlMs: 500 },
);

describe('redisIdStore', () => {
  const options = { ttlMs: 60_000, namespace: 'default|default project' };

  it('keeps its keys under the prefix and the encoded namespace, in the URL’s database', async () => {
    const store = redisIdStore(evalOn(client), 'layout', options);
    await store.putIfAbsent(
      'trace_timestamp',
      new Map([['5b8efff798038103d269b633813fc60c', '7']]),
    );
    await store.park(new Map([['ab', 'record']]));
    expect((await client.keys('layout:*')).sort()).toEqual([
      'layout:default%7Cdefault%20project:parked:ab',
      'layout:default%7Cdefault%20project:ts:5b8efff798038103d269b633813fc60c',
    ]);
    expect(redisKey('p', 'a:b|c', 'opik_span', 't:s')).toBe('p:a%3Ab%7Cc:span:t:s');
    expect(await client.sendCommand(['CLIENT', 'INFO'])).toMatch(/ db=2 /);
    const ttl = await client.pTTL('layout:default%7Cdefault%20project:parked:ab');
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('agrees on one winner among writers racing on separate connections', async () => {
    const others = await Promise.all(
      [1, 2, 3].map(async () => {
        const c = client.duplicate();
        await c.connect();
        return c;
      }),
    );
    try {
      const keys = Array.from({ length: 50 }, (_, i) => `trace-${i}`);
      const answers = await Promise.all(
        others.map((c, n) =>
          redisIdStore(evalOn(c), 'race', options).putIfAbsent(
            'trace_timestamp',
            new Map(keys.map((k) => [k, String(n)])),
          ),
        ),
      );
      for (const k of keys) expect(new Set(answers.map((a) => a.get(k))).size).toBe(1);
    } finally {
      for (const c of others) c.destroy();
    }
  });

  it('handles more keys than one script takes, in one round trip', async () => {
    const store = redisIdStore(evalOn(client), 'big', options);
    const entries = new Map(Array.from({ length: 2500 }, (_, i) => [`t${i}`, String(i)]));
    expect(await store.putIfAbsent('trace_timestamp', entries)).toEqual(entries);
    const got = await store.get('trace_timestamp', [...entries.keys(), 'missing']);
    expect(got).toEqual(entries);
  });
});
