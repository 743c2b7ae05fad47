/**
 * Dify's Opik provider → the collector's `opik` receiver, with a persistent queue, while Opik is
 * down: every batch is acknowledged (it is on disk), survives kill -9 and a restart, and reaches
 * Opik once it is back, as the same objects Dify would have written there directly.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeOpik } from '../fake-opik/server.js';
import { difyWrites, sendAsSdk } from '../fixtures/dify-opik-provider/requests.js';
import { deliverLikePythonSdk } from '../support/python-sdk-client.js';
import { configFile, type Running, runCollector } from './cli.js';
import { eventually, tempDir } from './durable-support.js';

let fake: FakeOpik;
const running: Running[] = [];
beforeEach(async () => {
  fake = await new FakeOpik().start();
});
afterEach(async () => {
  for (const r of running.splice(0)) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  await fake.stop();
});

function config(dir: string, port: number): string {
  return configFile(`extensions:
  file_storage:
    directory: ${dir}
receivers:
  opik:
    endpoint: 127.0.0.1:${port}
    api_keys: [dify-opik-key]
    relay:
      endpoint: ${fake.url}/api
exporters:
  opik:
    endpoint: ${fake.url}/api
    detect_id_overrides: false
    ingestion_window: { check: false }
    retry_on_failure: { initial_interval: 20ms, max_interval: 100ms, max_elapsed_time: 0s }
    sending_queue: { enabled: true, storage: file_storage, num_consumers: 1 }
service:
  extensions: [file_storage]
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [opik]
      exporters: [opik]
`);
}

async function launch(path: string): Promise<{ run: Running; origin: string }> {
  const run = runCollector(['--config', path]);
  running.push(run);
  const line = await run.waitForLog((l) => l.msg === 'opik receiver listening');
  return { run, origin: `http://${line.endpoint as string}` };
}

const state = (f: FakeOpik) => ({
  traces: f.store.rows('traces').map(({ last_updated_at: _, ...r }) => r),
  spans: f.store.rows('spans').map(({ last_updated_at: _, ...r }) => r),
});

describe('opik receiver with a persistent queue while Opik is down', () => {
  it('acknowledges, keeps across kill -9, and delivers once Opik is back', async () => {
    const requests = ['workflow_app.json', 'message_agent_chat.json', 'tool_success.json'].flatMap(
      (n) => difyWrites(n).batch,
    );
    const direct = await new FakeOpik().start();
    for (const r of requests) await sendAsSdk(direct.url, r);
    const want = state(direct);
    await direct.stop();

    fake.down = true;
    const dir = tempDir();
    const first = await launch(config(dir, 0));
    const sent = await deliverLikePythonSdk(first.origin, requests, { timeScale: 0.01 });
    expect(sent.answers.map((a) => a.status)).toEqual(requests.map(() => 204));
    expect(fake.spans('Dify Demo')).toEqual([]);

    first.run.child.kill('SIGKILL');
    await first.run.exited;
    fake.down = false;
    await launch(config(dir, 0));
    await eventually(() => JSON.stringify(state(fake)) === JSON.stringify(want));
    expect(state(fake)).toEqual(want);
  });
});
