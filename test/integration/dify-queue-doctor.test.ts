/**
 * `doctor` on a config with the `dify_queue` receiver, against a real redis-server, PostgreSQL
 * and storage directory: each of Redis, the storage root and the database is checked, and a
 * wrong setting gets its fix.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBuiltinFactories } from '../../src/components.js';
import { runDoctor } from '../../src/doctor/run-doctor.js';
import { DifyWorld } from '../support/dify-queue/dify-world.js';

const builtinFactories = await loadBuiltinFactories();

let world: DifyWorld;

beforeAll(async () => {
  world = await DifyWorld.start();
  await world.publish('message_chat.json');
}, 60_000);
afterAll(() => world?.destroy());

/** The dify_queue lines of doctor's report for a config with these receiver settings. */
async function doctor(yaml: string): Promise<{ ok: boolean; lines: string[] }> {
  const file = join(mkdtempSync(join(tmpdir(), 'doctor-dify-queue-')), 'collector.yaml');
  writeFileSync(
    file,
    `receivers:
${yaml}
exporters:
  debug: {}
service:
  telemetry: { metrics: { level: none } }
  pipelines:
    traces: { receivers: [dify_queue], exporters: [debug] }
`,
  );
  const report = await runDoctor([file], [], builtinFactories, {});
  return { ok: report.ok, lines: report.lines.filter((l) => /dify_queue|fix:/.test(l)) };
}

describe('doctor: dify_queue', () => {
  it('passes Redis, the storage root and the database of a working Dify', async () => {
    const r = await doctor(world.receiverYaml());
    expect(r.lines).toEqual([
      expect.stringMatching(
        /^✓ receiver "dify_queue": Redis [\d.]+ at redis:\/\/:\[REDACTED\]@127\.0\.0\.1:\d+\/1 answers; ops_trace holds 1 message\(s\), 0 being processed, 0 set aside/,
      ),
      `✓ receiver "dify_queue": the storage root ${world.root} holds Dify’s ops_trace/ and is writable`,
      expect.stringMatching(
        /^✓ receiver "dify_queue": Dify’s database at postgres:\/\/postgres:\[REDACTED\]@/,
      ),
    ]);
    expect(r.ok).toBe(true);
  });

  it('says which setting is wrong, and how to fix it', async () => {
    const yaml = world
      .receiverYaml()
      .replace(world.brokerUrl, world.brokerUrl.replace('difyai123456', 'wrong'))
      .replace(world.root, join(world.root, 'not-mounted'))
      .replace(world.postgres.url(), world.postgres.url('postgres'));
    const r = await doctor(yaml);
    expect(r.ok).toBe(false);
    expect(r.lines).toEqual([
      expect.stringMatching(/^✗ receiver "dify_queue": cannot use Redis at .*WRONGPASS/),
      '    fix: put Dify’s REDIS_PASSWORD in receivers::dify_queue::redis::url (redis://:<REDIS_PASSWORD>@redis:6379/1)',
      expect.stringMatching(
        /^✗ receiver "dify_queue": the storage root .*not-mounted is not there: ENOENT/,
      ),
      expect.stringMatching(
        /^ {4}fix: mount Dify’s storage volume \(docker compose: \.\/volumes\/app\/storage/,
      ),
      expect.stringMatching(
        /^✗ receiver "dify_queue": the database at .*\/postgres has no workflow_node_executions, workflow_node_execution_offload, upload_files/,
      ),
      '    fix: point receivers::dify_queue::database::url at Dify’s database (DB_DATABASE, default dify); Dify 1.9 or later is needed',
    ]);
    expect(r.lines.join('\n')).not.toContain('wrong@');
  });

  it('says when Redis and the database cannot be reached', async () => {
    const yaml = world
      .receiverYaml()
      .replace(`127.0.0.1:${world.redis.port}`, '127.0.0.1:1')
      .replace(`127.0.0.1:${world.postgres.port}`, '127.0.0.1:1');
    const r = await doctor(yaml);
    expect(r.lines.filter((l) => l.startsWith('✗'))).toEqual([
      expect.stringMatching(
        /cannot use Redis at redis:\/\/:\[REDACTED\]@127\.0\.0\.1:1\/1: ECONNREFUSED/,
      ),
      expect.stringMatching(
        /cannot read Dify’s database at postgres:\/\/postgres:\[REDACTED\]@127\.0\.0\.1:1\/dify: ECONNREFUSED/,
      ),
    ]);
    expect(r.lines).toContain(
      '    fix: set receivers::dify_queue::redis::url to Dify’s CELERY_BROKER_URL (docker/.env: redis://:<REDIS_PASSWORD>@redis:6379/1) and run the collector where Dify’s redis service is reachable (its compose network)',
    );
  });
});
