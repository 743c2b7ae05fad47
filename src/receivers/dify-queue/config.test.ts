import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { deepMerge } from '../../config/merge.js';
import { redactSecrets } from '../../config/secret.js';
import {
  type DifyQueueReceiverConfig,
  difyQueueReceiverConfigSchema,
  listsOf,
  validate,
} from './config.js';
import { difyQueueReceiverFactory } from './factory.js';

const DIFY = {
  redis: { url: 'redis://:difyai123456@redis:6379/1' },
  storage: { root: '/app/api/storage' },
  database: { url: 'postgres://postgres:difyai123456@db:5432/dify' },
};

const parse = (user: Record<string, unknown>) =>
  difyQueueReceiverConfigSchema.safeParse(
    deepMerge(difyQueueReceiverFactory.createDefaultConfig(), deepMerge(DIFY, user)),
  );
const issues = (user: Record<string, unknown>) =>
  validate(parse(user).data as DifyQueueReceiverConfig);

describe('dify_queue receiver config', () => {
  it('defaults to Dify’s ops_trace queue, OpenDAL fs storage, 4 at a time, 8 taken ahead', () => {
    expect(parse({}).data).toEqual({
      redis: { url: DIFY.redis.url, queue: 'ops_trace' },
      storage: { type: 'opendal', root: '/app/api/storage' },
      database: { url: DIFY.database.url },
      concurrency: 4,
      prefetch: 8,
      backoff: {
        initial_interval: 1000,
        max_interval: 30000,
        multiplier: 1.5,
        randomization_factor: 0.5,
      },
    });
    expect(issues({})).toEqual([]);
    expect(listsOf(parse({}).data!.redis)).toEqual({
      queue: 'ops_trace',
      processing: 'dify-opik-collector:ops_trace:processing',
      deadLetter: 'dify-opik-collector:ops_trace:dead-letter',
    });
  });

  it('needs the Redis URL, the storage root and the database URL: they are Dify’s', () => {
    const bare = difyQueueReceiverConfigSchema.safeParse(
      difyQueueReceiverFactory.createDefaultConfig(),
    );
    expect(bare.error?.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'database.url',
      'redis.url',
      'storage.root',
    ]);
  });

  it('accepts Dify’s legacy local storage', () => {
    expect(issues({ storage: { type: 'local' } })).toEqual([]);
    // Dify's compose passes OPENDAL_SCHEME whatever STORAGE_TYPE is; local ignores it.
    expect(issues({ storage: { type: 'local', scheme: 's3' } })).toEqual([]);
    expect(issues({ storage: { type: 'opendal', scheme: 'fs' } })).toEqual([]);
  });

  it.each<[Record<string, unknown>, string, string]>([
    [{ storage: { type: 's3' } }, 'storage::type', 'storage type "s3" is not supported yet'],
    [{ storage: { scheme: 's3' } }, 'storage::scheme', 'OpenDAL scheme "s3" is not supported yet'],
    [{ concurrency: 9 }, 'prefetch', 'must be at least concurrency (9)'],
    [{ backoff: { initial_interval: '1m' } }, 'backoff::max_interval', 'must not be shorter'],
    [{ redis: { processing_list: 'ops_trace' } }, 'redis', 'three different lists'],
  ])('validate refuses %j at %s', (user, path, message) => {
    const found = issues(user);
    expect(found).toHaveLength(1);
    expect(found[0]!.path).toBe(path);
    expect(found[0]!.message).toContain(message);
  });

  it('refuses URLs of the wrong kind without echoing their password', () => {
    const r = parse({ redis: { url: 'http://:hunter2@redis:6379/1' } });
    const message = r.error?.issues[0]?.message ?? '';
    expect(message).toContain('expected a redis:// or rediss:// URL');
    expect(message).not.toContain('hunter2');
  });

  it('keeps the passwords in its URLs out of print-config', () => {
    expect(redactSecrets(parse({}).data)).toMatchObject({
      redis: { url: 'redis://:[REDACTED]@redis:6379/1' },
      database: { url: 'postgres://postgres:[REDACTED]@db:5432/dify' },
    });
  });
});

describe('dify_queue libraries', () => {
  // The built collector, in a process of its own: what a config without dify_queue loads.
  const loaded = (script: string) =>
    spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('../../../', import.meta.url),
      encoding: 'utf8',
    });

  it('are loaded only when the receiver starts', () => {
    const r = loaded(`
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const count = () => Object.keys(require.cache).filter((k) => /node_modules\\/(pg|@redis\\/client)\\//.test(k)).length;
      const builtinFactories = await (await import('./dist/components.js')).loadBuiltinFactories();
      const before = count();
      const { silentLogger } = await import('./dist/telemetry/logger.js');
      const { createTelemetry } = await import('./dist/telemetry/telemetry.js');
      const settings = { id: 'dify_queue', kind: 'receiver', logger: silentLogger(), telemetry: createTelemetry() };
      const host = { getExtension: () => undefined, reportStatus: () => {}, collectorStatus: () => ({ ready: true, components: [] }) };
      const f = builtinFactories.find((x) => x.type === 'dify_queue');
      const config = f.configSchema.parse({ ...f.createDefaultConfig(),
        redis: { url: 'redis://127.0.0.1:1/1', queue: 'ops_trace' },
        storage: { type: 'opendal', scheme: 'fs', root: '.' },
        database: { url: 'postgres://x@127.0.0.1:1/x' } });
      const r = f.create(settings, config, { consume: async () => {} });
      await r.start(host);
      const after = count();
      await r.shutdown();
      console.log(JSON.stringify({ before, after }));
    `);
    expect(r.stderr).toBe('');
    const { before, after } = JSON.parse(r.stdout) as { before: number; after: number };
    expect(before).toBe(0);
    expect(after).toBeGreaterThan(0);
  });
});
