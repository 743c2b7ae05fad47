/**
 * `doctor` on a config with the `redis_storage` extension, against a real redis-server with a
 * password: reachable, credentials, version, writable, each problem with its fix, and the
 * password never in the report.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBuiltinFactories } from '../../src/components.js';
import { redisVersionOk } from '../../src/doctor/redis-storage.js';
import { runDoctor } from '../../src/doctor/run-doctor.js';
import { createTestPki } from '../../src/testing/certs.js';
import { freePort } from '../support/free-port.js';
import { RedisServer } from '../support/redis-server.js';

const builtinFactories = await loadBuiltinFactories();

const PASSWORD = 'doctor-s3cret-pw';
let redis: RedisServer;

beforeAll(async () => {
  redis = await RedisServer.start({ password: PASSWORD });
});
afterAll(() => redis?.destroy());

/** The redis_storage lines of doctor's report for these extension settings. */
async function doctor(settings: string): Promise<{ ok: boolean; lines: string[] }> {
  const file = join(mkdtempSync(join(tmpdir(), 'doctor-redis-')), 'collector.yaml');
  writeFileSync(
    file,
    `extensions:
  redis_storage: ${settings}
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:0 } } }
exporters:
  debug: {}
service:
  extensions: [redis_storage]
  telemetry: { metrics: { level: none } }
  pipelines:
    traces: { receivers: [otlp], exporters: [debug] }
`,
  );
  const report = await runDoctor([file], [], builtinFactories, {});
  const lines = report.lines.filter(
    (l, i, all) =>
      /redis_storage/.test(l) || (/fix:/.test(l) && /redis_storage/.test(all[i - 1] ?? '')),
  );
  expect(report.lines.join('\n')).not.toContain(PASSWORD);
  return { ok: report.ok, lines };
}

describe('doctor: redis_storage', () => {
  it('passes a Redis that answers, takes the password and the writes', async () => {
    const r = await doctor(`{ url: "${redis.url(2)}", connect_timeout: 2s }`);
    expect(r.lines).toEqual([
      expect.stringMatching(
        /^✓ extension "redis_storage": Redis [\d.]+ at redis:\/\/:\[REDACTED\]@127\.0\.0\.1:\d+\/2 answers and takes writes to dify-opik-collector:\* \(maxmemory-policy noeviction\)$/,
      ),
    ]);
    expect(r.ok).toBe(true);
  });

  it('says when the password is wrong or missing, and where to put it', async () => {
    for (const url of [
      redis.url(2).replace(PASSWORD, 'wrong'),
      `redis://127.0.0.1:${redis.port}/2`,
    ]) {
      const r = await doctor(`{ url: "${url}", connect_timeout: 2s }`);
      expect(r.ok).toBe(false);
      expect(r.lines[0]).toMatch(
        /✗ extension "redis_storage": Redis at .* refuses the credentials: (WRONGPASS|NOAUTH)/,
      );
      expect(r.lines[1]).toContain('extensions::redis_storage::password');
    }
  });

  it('says when nothing answers at the address', async () => {
    const r = await doctor(
      `{ url: "redis://127.0.0.1:${await freePort()}/0", connect_timeout: 2s }`,
    );
    expect(r.lines[0]).toMatch(/✗ extension "redis_storage": cannot reach Redis at .*ECONNREFUSED/);
    expect(r.lines[1]).toContain('redis-cli -u <url> ping');
  });

  it('says when the Redis takes no writes (a read-only replica)', async () => {
    const { createClient } = await import('@redis/client');
    const admin = createClient({ url: redis.url() });
    await admin.connect();
    try {
      await admin.sendCommand(['REPLICAOF', '127.0.0.1', String(await freePort())]);
      const r = await doctor(`{ url: "${redis.url(2)}", connect_timeout: 2s }`);
      expect(r.lines[0]).toMatch(
        /✗ extension "redis_storage": Redis [\d.]+ at .* does not let the collector write: READONLY/,
      );
      expect(r.lines[1]).toContain('point extensions::redis_storage::url at the primary');
    } finally {
      await admin.sendCommand(['REPLICAOF', 'NO', 'ONE']);
      admin.destroy();
    }
  });

  it('says when the TLS connection fails, and which tls setting to give', async () => {
    const pki = createTestPki();
    const tls = await RedisServer.start({
      tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert },
    });
    try {
      const bad = await doctor(`{ url: "${tls.url()}", connect_timeout: 2s }`);
      expect(bad.lines[0]).toMatch(
        /✗ extension "redis_storage": no TLS connection to Redis at rediss:/,
      );
      expect(bad.lines[1]).toContain('extensions::redis_storage::tls::ca_file');
      const good = await doctor(
        `{ url: "${tls.url()}", connect_timeout: 2s, tls: { ca_file: "${pki.caCert}" } }`,
      );
      expect(good.ok).toBe(true);
    } finally {
      await tls.destroy();
      pki.remove();
    }
  });

  it('wants Redis 6.0 or later', () => {
    expect(['5.0.14', '6.0.0', '6.2.14', '7.0.15', '10.1'].map(redisVersionOk)).toEqual([
      false,
      true,
      true,
      true,
      true,
    ]);
  });
});
