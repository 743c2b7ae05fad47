/**
 * The `genai` hold kept in `file_storage`, with real processes: Dify's legacy Phoenix provider
 * sends a chatflow run's node spans one per request (each acknowledged at once while they wait
 * for the run's span), the collector is killed with SIGKILL before the run's span comes, and after
 * the restart Opik holds exactly what an uninterrupted collector gives it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { encodeTracesRequest } from '../../src/otlp/proto-codec.js';
import type { Traces } from '../../src/pdata/traces.js';
import { type FakeOpik, startFakeOpik } from '../fake-opik/server.js';
import { phoenixLegacy, RUNS } from '../fixtures/genai/dify/runs.js';
import { comparable } from '../integration/opik/harness.js';
import { configFile, type Running } from './cli.js';
import { eventually, sleep, start, tempDir } from './durable-support.js';

const fakes: FakeOpik[] = [];
const running: Running[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  for (const f of fakes.splice(0)) await f.stop();
});

const chatflow = RUNS.find((r) => r.name === 'a chatflow with an iteration')!;

function holdConfig(fake: FakeOpik, dir: string, wait = '2m'): string {
  return configFile(`extensions:
  file_storage:
    directory: ${dir}
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:0
processors:
  genai:
    dify_hold:
      storage: file_storage
      wait_duration: ${wait}
exporters:
  opik:
    endpoint: ${fake.url}/api
    ingestion_window: { check: false }
    retry_on_failure: { initial_interval: 20ms, max_interval: 100ms, max_elapsed_time: 5s }
service:
  extensions: [file_storage]
  telemetry: { metrics: { level: none } }
  pipelines:
    traces:
      receivers: [otlp]
      processors: [genai]
      exporters: [opik]
`);
}

async function launch(config: string) {
  const c = await start(config);
  running.push(c.run);
  return c;
}

/** Sends each request as Dify's exporter does: one after another, each answered 200. */
async function send(url: string, requests: readonly Traces[]): Promise<void> {
  for (const r of requests) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: encodeTracesRequest(r),
    });
    expect(res.status).toBe(200);
  }
}

/** Stops the collector as an operator does; the exporter delivers what it has first. */
async function stop(run: Running): Promise<void> {
  run.child.kill('SIGTERM');
  expect(await run.exited).toBe(0);
}

async function kill(run: Running): Promise<void> {
  run.child.kill('SIGKILL');
  await run.exited;
}

/** What Opik holds, in an order that does not depend on arrival. */
function state(fake: FakeOpik) {
  const byId = (rows: Parameters<typeof comparable>[0]) =>
    comparable(rows).sort((a, b) => String(a.id).localeCompare(String(b.id)));
  return { traces: byId(fake.traces()), spans: byId(fake.spans()) };
}

const isRunSpan = (t: Traces) =>
  t.resourceSpans.some((rs) =>
    rs.scopeSpans.some((ss) => ss.spans.some((s) => s.name.startsWith('workflow_'))),
  );

describe('the Dify hold over kill -9 (real processes, a real SQLite file)', () => {
  it('delivers the nodes acknowledged before the crash with their run, as without the crash', async () => {
    const requests = phoenixLegacy(chatflow);
    const runAt = requests.findIndex(isRunSpan);

    const reference = await startFakeOpik();
    fakes.push(reference);
    const whole = await launch(holdConfig(reference, tempDir()));
    await send(whole.url, requests);
    await stop(whole.run);
    expect(reference.traces()).toHaveLength(1);
    expect(reference.spans().length).toBeGreaterThan(5);

    const fake = await startFakeOpik();
    fakes.push(fake);
    const config = holdConfig(fake, tempDir());
    const first = await launch(config);
    await send(first.url, requests.slice(0, runAt));
    await kill(first.run);
    expect(fake.spans()).toEqual([]);
    const second = await launch(config);
    await send(second.url, requests.slice(runAt));
    await stop(second.run);
    expect(state(fake)).toEqual(state(reference));
    expect(second.run.logs.some((l) => l.msg === 'resuming the Dify hold from its storage')).toBe(
      true,
    );
  });

  it('releases at the restart what waited past wait_duration while the collector was down', async () => {
    const requests = phoenixLegacy(chatflow).filter((r) => !isRunSpan(r));
    const waited = (fake: FakeOpik) => fake.spans().length;

    const reference = await startFakeOpik();
    fakes.push(reference);
    const whole = await launch(holdConfig(reference, tempDir(), '1s'));
    await send(whole.url, requests);
    await eventually(() => waited(reference) > 0);
    await stop(whole.run);

    const fake = await startFakeOpik();
    fakes.push(fake);
    const config = holdConfig(fake, tempDir(), '1s');
    const first = await launch(config);
    await send(first.url, requests);
    await kill(first.run);
    await sleep(1200);
    const second = await launch(config);
    await eventually(() => waited(fake) >= waited(reference));
    await stop(second.run);
    expect(state(fake)).toEqual(state(reference));
  });
});
