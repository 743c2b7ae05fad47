/**
 * What a user sees while Opik is down, answers 503, or refuses data for good: the log lines
 * (first failure of a kind, recovery, dead letters) and the health endpoint's states, from a
 * running collector against the fake Opik.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthCheck } from '../../src/extensions/health-check/health-check.js';
import { makeSpan, makeTraces } from '../../src/pdata/span.js';
import type { Collector } from '../../src/service/collector.js';
import { startCollector } from '../../src/service/collector.js';
import { capturingLogger } from '../../src/testing/senders.js';
import { type FakeOpik, startFakeOpik } from '../fake-opik/server.js';
import { llmTrace, oldReceiverSpan } from './opik/spans.js';
import { componentOf, heads, resolveYaml } from './support/pipeline.js';

let collector: Collector | undefined;
const fakes: FakeOpik[] = [];
afterEach(async () => {
  await collector?.shutdown();
  collector = undefined;
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

function config(endpoint: string, opik = '', queue = 'enabled: true, num_consumers: 1') {
  const dir = mkdtempSync(join(tmpdir(), 'export-failures-'));
  return `
extensions:
  file_storage:
    directory: ${dir}
  health_check:
    endpoint: 127.0.0.1:0
    component_health: { recovery_duration: 400ms }
receivers:
  capture:
exporters:
  opik:
    endpoint: ${endpoint}
    detect_id_overrides: false
    retry_on_failure:
      { initial_interval: 20ms, max_interval: 40ms, randomization_factor: 0, max_elapsed_time: 0s }
    sending_queue: { ${queue} }
${opik}
service:
  extensions: [health_check, file_storage]
  telemetry: { metrics: { level: none } }
  pipelines:
    traces: { receivers: [capture], exporters: [opik] }
`;
}

async function start(yaml: string) {
  const { logger, lines } = capturingLogger();
  collector = await startCollector(resolveYaml(yaml), logger);
  const c = collector;
  const messages = (match: RegExp) => lines.filter((l) => match.test(String(l.msg)));
  return {
    lines,
    messages,
    /** Resolves with the first log line matching, within 5 s. */
    async logged(match: RegExp) {
      for (let i = 0; i < 250; i++) {
        const hit = messages(match)[0];
        if (hit) return hit;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no log line matched ${match}: ${JSON.stringify(lines.map((l) => l.msg))}`);
    },
    async opikHealth() {
      const address = componentOf<HealthCheck>(c, 'extension', 'health_check').address;
      const body = (await (await fetch(`http://${address}/`)).json()) as {
        components: Array<{ id: string; kind: string; state: string; reason?: string }>;
      };
      return body.components.find((x) => x.kind === 'exporter' && x.id === 'opik')!;
    },
  };
}

/** A span that starts after 2262-04-11: any OTLP client may send it; Opik refuses it (422). */
function farFutureSpan() {
  const start = 2n ** 63n;
  return makeTraces([
    makeSpan({
      traceId: 'f'.repeat(32),
      spanId: 'e'.repeat(16),
      name: 'from the far future',
      startTimeUnixNano: start,
      endTimeUnixNano: start + 1n,
    }),
  ]);
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('export failures, as the user sees them', () => {
  it('Opik answering 503: logged at once, health recoverable then degraded, recovery logged once', async () => {
    const fake = await startFakeOpik();
    fakes.push(fake);
    fake.down = true;
    const run = await start(config(`${fake.url}/api`));
    await heads.get('capture')!.consume(llmTrace(Date.now()));

    const first = await run.logged(/^export failing: /);
    expect(first).toMatchObject({
      level: 40,
      component: 'exporter/opik',
      kind: 'ERR_EXPORT_FAILED:503',
    });
    expect(first.msg).toBe(
      'export failing: Opik answered HTTP 503: Service Unavailable (the service is unavailable (down, starting or overloaded)); retrying in 20ms; the data waits in the memory queue, retried until it goes through',
    );
    expect(await run.opikHealth()).toMatchObject({
      state: 'recoverable_error',
      reason: expect.stringMatching(/^Opik answered HTTP 503/),
    });
    await new Promise((r) => setTimeout(r, 450));
    expect(await run.opikHealth()).toMatchObject({
      state: 'degraded',
      reason: expect.stringMatching(
        /^failing for \d+ms: Opik answered HTTP 503: Service Unavailable/,
      ),
    });
    expect(run.messages(/^export failing: /)).toHaveLength(1);

    fake.down = false;
    const recovered = await run.logged(/^delivering again after /);
    expect(recovered.level).toBe(30);
    expect(recovered.msg).toMatch(
      /^delivering again after \d+ms of failures; \d+ request\(s\) waiting$/,
    );
    expect(fake.spans()).toHaveLength(3);
    expect(await run.opikHealth()).toMatchObject({ state: 'ok' });
    await heads.get('capture')!.consume(llmTrace(Date.now()));
    expect(run.messages(/^delivering again after /)).toHaveLength(1);
  });

  it('Opik unreachable: the reason in plain words, at warn, without waiting for debug logs', async () => {
    const port = await closedPort();
    // A persistent queue, as in collector.yaml: at shutdown it keeps what Opik did not take.
    const run = await start(
      config(
        `http://127.0.0.1:${port}/api`,
        '',
        'enabled: true, num_consumers: 1, storage: file_storage',
      ),
    );
    await heads.get('capture')!.consume(llmTrace(Date.now()));
    const first = await run.logged(/^export failing: /);
    expect(first.level).toBe(40);
    expect(first.msg).toBe(
      `export failing: cannot reach Opik at http://127.0.0.1:${port}/api: connect ECONNREFUSED 127.0.0.1:${port} (connection refused: nothing listens at that address; is the service running?); retrying in 20ms; the data waits in the persistent queue (on disk), retried until it goes through`,
    );
    expect(await run.opikHealth()).toMatchObject({ state: 'recoverable_error' });
  });

  it('data Opik will never take: one error line naming the file and how to replay it', async () => {
    const fake = await startFakeOpik();
    fakes.push(fake);
    const dir = mkdtempSync(join(tmpdir(), 'dead-letter-'));
    const file = join(dir, 'opik.dead-letter.jsonl');
    const run = await start(
      config(
        `${fake.url}/api`,
        `    dead_letter: { path: ${file} }
    ingestion_window: { check: true, window: 24h }`,
      ),
    );
    const old = '01977a47-1f03-7000-8000-000000000001';
    await heads
      .get('capture')!
      .consume(oldReceiverSpan(old, '01977a47-1f03-7000-8000-000000000002'));
    const line = await run.logged(/could not be delivered/);
    expect(line.level).toBe(50);
    expect(line.msg).toBe(
      `2 item(s) could not be delivered and will not be retried: id outside Opik's ingestion window of 24h around now (too_old); not sent (ingestion_window.outside: dead_letter); written to ${file}; fix the cause, then re-send them with \`dify-opik-collector replay ${file} --config <your config>\``,
    );
    await expect
      .poll(() => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : []))
      .toHaveLength(2);
  });

  it('a dead-letter file that cannot be written: the items stay queued, uncounted, loudly, and are written once it can', async () => {
    const fake = await startFakeOpik();
    fakes.push(fake);
    const dir = mkdtempSync(join(tmpdir(), 'dead-letter-'));
    // A file where the dead-letter directory should be: nothing can be written under it.
    const blocker = join(dir, 'dead');
    writeFileSync(blocker, '');
    const file = join(blocker, 'opik.dead-letter.jsonl');
    const run = await start(config(`${fake.url}/api`, `    dead_letter: { path: ${file} }`));
    // Opik refuses a span that starts after 2262 (422), so it must go to the dead-letter file.
    await heads.get('capture')!.consume(farFutureSpan());
    await heads.get('capture')!.consume(llmTrace(Date.now()));

    const loud = await run.logged(/^export failing: cannot write the dead-letter file/);
    expect(loud.level).toBe(50);
    await expect.poll(async () => (await run.opikHealth()).state).toBe('degraded');
    const counted = async () =>
      (
        await collector!.telemetry.registry
          .getSingleMetric('otelcol_exporter_opik_dead_lettered_items_total')
          ?.get()
      )?.values.reduce((n, v) => n + v.value, 0) ?? 0;
    expect(await counted()).toBe(0);

    rmSync(blocker);
    // Its trace row is what Opik refuses (the span itself travels over OTLP).
    await expect
      .poll(() =>
        existsSync(file)
          ? readFileSync(file, 'utf8')
              .trim()
              .split('\n')
              .map((l) => (JSON.parse(l) as { kind: string; item: { name: string } }).item.name)
          : [],
      )
      .toEqual(['from the far future']);
    expect(await counted()).toBe(1);
    await expect.poll(async () => (await run.opikHealth()).state).toBe('ok');
  });
});
