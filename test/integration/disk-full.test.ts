/**
 * A full disk under the persistent queue, on a real (small) tmpfs: the collector refuses new data
 * with 503 and Retry-After, says so loudly and reports the exporter degraded, keeps and delivers
 * everything it acknowledged (across a restart on the full disk), and takes data again once
 * there is room.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthCheck } from '../../src/extensions/health-check/health-check.js';
import { encodeTracesRequest } from '../../src/otlp/proto-codec.js';
import { spanCount } from '../../src/pdata/count.js';
import type { Traces } from '../../src/pdata/traces.js';
import type { OtlpReceiver } from '../../src/receivers/otlp/receiver.js';
import { type Collector, startCollector } from '../../src/service/collector.js';
import { capturingLogger } from '../../src/testing/senders.js';
import { mountTmpfs, type Tmpfs } from '../../src/testing/tmpfs.js';
import { type FakeOpik, startFakeOpik } from '../fake-opik/server.js';
import { llmTrace } from './opik/spans.js';
import { componentOf, resolveYaml } from './support/pipeline.js';

let disk: Tmpfs | undefined;
let fake: FakeOpik | undefined;
let collector: Collector | undefined;
afterEach(async () => {
  await collector?.shutdown();
  await fake?.stop();
  disk?.unmount();
  collector = fake = disk = undefined;
});

async function start(dir: string, opik: string) {
  const { logger, lines } = capturingLogger();
  collector = await startCollector(
    resolveYaml(`
extensions:
  file_storage: { directory: ${dir} }
  health_check: { endpoint: 127.0.0.1:0 }
receivers:
  otlp:
    protocols: { http: { endpoint: 127.0.0.1:0 } }
exporters:
  opik:
    endpoint: ${opik}
    detect_id_overrides: false
    retry_on_failure: { initial_interval: 20ms, max_interval: 50ms, max_elapsed_time: 0s }
    sending_queue: { enabled: true, storage: file_storage, num_consumers: 1 }
service:
  extensions: [file_storage, health_check]
  telemetry: { metrics: { level: none } }
  pipelines:
    traces: { receivers: [otlp], exporters: [opik] }
`),
    logger,
  );
  const c = collector;
  const url = `http://${componentOf<OtlpReceiver>(c, 'receiver', 'otlp').addresses.http}/v1/traces`;
  return {
    lines,
    async post(t: Traces) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: encodeTracesRequest(t),
      });
      return { status: res.status, retryAfter: res.headers.get('retry-after') };
    },
    async exporterHealth() {
      const address = componentOf<HealthCheck>(c, 'extension', 'health_check').address;
      const body = (await (await fetch(`http://${address}/`)).json()) as {
        components: Array<{ id: string; kind: string; state: string; reason?: string }>;
      };
      return body.components.find((x) => x.kind === 'exporter')!;
    },
  };
}

/** A trace with some bulk, so that a few dozen fill a small disk. */
const bulky = () => llmTrace(Date.now(), 2, { 'input.value': 'x'.repeat(8_000) });

describe('the persistent queue on a full disk', () => {
  it('refuses with 503, keeps what it acknowledged through a restart, and resumes when space returns', async () => {
    disk = mountTmpfs(768);
    fake = await startFakeOpik();
    fake.down = true;
    let run = await start(disk.dir, `${fake.url}/api`);

    let acknowledged = 0;
    let refusal: { status: number; retryAfter: string | null } | undefined;
    for (let i = 0; i < 500 && !refusal; i++) {
      const t = bulky();
      const answer = await run.post(t);
      if (answer.status === 200) acknowledged += spanCount(t);
      else refusal = answer;
    }
    expect(refusal).toEqual({ status: 503, retryAfter: '5' });
    expect(acknowledged).toBeGreaterThan(0);
    expect(await run.exporterHealth()).toMatchObject({
      state: 'degraded',
      reason: expect.stringMatching(/database or disk is full/),
    });
    expect(run.lines.some((l) => l.level === 50 && /disk is full/.test(String(l.msg)))).toBe(true);

    // A restart on the full disk: no crash, and what was acknowledged is still there.
    await collector!.shutdown();
    fake.down = false;
    run = await start(disk.dir, `${fake.url}/api`);
    await expect.poll(() => fake!.spans().length, { timeout: 10_000 }).toBe(acknowledged);

    // Room again: new data is taken and delivered, the exporter is well.
    disk.resize(16 * 1024);
    const after = bulky();
    await expect.poll(async () => (await run.post(after)).status, { timeout: 5000 }).toBe(200);
    await expect
      .poll(() => fake!.spans().length, { timeout: 10_000 })
      .toBe(acknowledged + spanCount(after));
    await expect.poll(async () => (await run.exporterHealth()).state).toBe('ok');
  });
});
