/**
 * `kill -9` of a collector between taking Dify's queue messages and finishing them: after a
 * restart on the same Redis, storage and database, every envelope arrives in Opik and none
 * twice. Real processes: the built CLI, redis-server, PostgreSQL; the fake Opik is as strict as
 * the real one (a re-sent root span is a 409 there).
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spanCount } from '../../src/pdata/count.js';
import { convertBatch } from '../../src/receivers/dify/batch.js';
import {
  envelopeFixtures,
  FIXTURES_DIR,
  fixture,
  withNodes,
} from '../../src/receivers/dify/test-fixtures.js';
import { FakeOpik } from '../fake-opik/server.js';
import { comparable, startExporter } from '../integration/opik/harness.js';
import { DifyWorld } from '../support/dify-queue/dify-world.js';
import { configFile, type Running, runCollector } from './cli.js';

let world: DifyWorld;
const fakes: FakeOpik[] = [];
const running: Running[] = [];

beforeAll(async () => {
  world = await DifyWorld.start();
}, 60_000);

afterAll(async () => {
  for (const r of running) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  await Promise.all(fakes.map((f) => f.stop()));
  await world?.destroy();
});

const item = (name: string) =>
  existsSync(new URL(name.replace('.json', '.node_executions.json'), FIXTURES_DIR))
    ? withNodes(name)
    : fixture(name);
const converted = (name: string) => convertBatch([{ value: item(name) }]).traces;
const withSpans = envelopeFixtures().filter((n) => spanCount(converted(n)) > 0);

/** The exporter settings both the collector and the reference use. */
const OPIK = {
  detect_id_overrides: false,
  ingestion_window: { check: false },
  timeout: '10s',
};

async function fakeOpik(): Promise<FakeOpik> {
  const fake = await new FakeOpik().start();
  fakes.push(fake);
  return fake;
}

async function launch(fake: FakeOpik): Promise<Running> {
  const config = configFile(`receivers:
${world.receiverYaml()}
exporters:
  opik:
    endpoint: ${fake.url}/api
    detect_id_overrides: ${OPIK.detect_id_overrides}
    ingestion_window: { check: false }
    timeout: ${OPIK.timeout}
    retry_on_failure: { initial_interval: 20ms, max_interval: 100ms, max_elapsed_time: 0s }
    sending_queue: { enabled: false }
service:
  telemetry: { metrics: { level: none } }
  pipelines:
    traces: { receivers: [dify_queue], exporters: [opik] }
`);
  const run = runCollector(['--config', config, '--shutdown-timeout', '5s']);
  running.push(run);
  await run.waitForLog((l) => l.msg === 'collector started');
  return run;
}

async function eventually(cond: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}

describe('dify_queue: kill -9 between taking and finishing', () => {
  it('delivers every envelope after a restart, none twice in Opik', async () => {
    for (const name of withSpans) await world.publish(name);
    const fake = await fakeOpik();
    // Opik answers slowly: the first collector's sends are in flight when it dies, and Opik
    // stores them anyway, so the restart sends some envelopes a second time.
    fake.latencyMs = 800;
    const first = await launch(fake);
    // A write, not the version question the exporter asks first.
    const writes = ['traces', 'spans', 'otlp'];
    await eventually(() => fake.requests.some((r) => writes.includes(r.route)));
    first.child.kill('SIGKILL');
    await first.exited;
    const left = await world.lengths();
    expect(left.processing).toBeGreaterThan(0);
    expect(left.processing + left.queue).toBe(withSpans.length);
    await new Promise((r) => setTimeout(r, fake.latencyMs + 200));
    // Opik stored what it got, though nobody heard its answer.
    expect(fake.traces().length + fake.spans().length).toBeGreaterThan(0);
    fake.latencyMs = 0;

    const second = await launch(fake);
    await eventually(async () => {
      const l = await world.lengths();
      return l.queue === 0 && l.processing === 0 && world.envelopeFiles().length === 0;
    });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(await world.lengths()).toEqual({ queue: 0, processing: 0, deadLetter: 0 });

    // What Opik holds equals the envelopes sent once, straight through an exporter.
    const reference = await fakeOpik();
    const { exporter } = await startExporter(reference, OPIK);
    for (const name of withSpans) await exporter.consume(converted(name));
    await exporter.shutdown();
    expect(comparable(fake.spans())).toEqual(comparable(reference.spans()));
    expect(comparable(fake.traces())).toEqual(comparable(reference.traces()));
  });
});
