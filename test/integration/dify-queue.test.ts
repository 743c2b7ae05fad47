/**
 * The `dify_queue` receiver against a real `redis-server`, a real PostgreSQL and a storage
 * directory, fed exactly what Dify writes (test/support/dify-queue/README.md): every shared
 * fixture's spans reach the `file` exporter as when the same envelope (with its node rows) is
 * POSTed to the `dify` receiver, and files and messages are gone afterwards; then Redis and the
 * database go down and come back, and bad messages are set aside without blocking the queue.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTracesJson } from '../../src/otlp/json-codec.js';
import { spanCount } from '../../src/pdata/count.js';
import type { Span } from '../../src/pdata/traces.js';
import { convertBatch } from '../../src/receivers/dify/batch.js';
import type { DifyReceiver } from '../../src/receivers/dify/receiver.js';
import {
  envelopeFixtures,
  FIXTURES_DIR,
  fixture,
  fixtureText,
  withNodes,
} from '../../src/receivers/dify/test-fixtures.js';
import { difyQueueReceiverConfigSchema } from '../../src/receivers/dify-queue/config.js';
import { difyQueueReceiverFactory } from '../../src/receivers/dify-queue/factory.js';
import { DifyQueueReceiver } from '../../src/receivers/dify-queue/receiver.js';
import type { Collector } from '../../src/service/collector.js';
import { TestHost, testSettings } from '../../src/testing/settings.js';
import { saveEnvelope, taskMessage } from '../support/dify-queue/dify-side.js';
import { DifyWorld } from '../support/dify-queue/dify-world.js';
import { componentOf, startYaml } from './support/pipeline.js';

const dir = mkdtempSync(join(tmpdir(), 'dify-queue-'));
const posted = join(dir, 'posted.jsonl');
const queued = join(dir, 'queued.jsonl');
let world: DifyWorld;
let collector: Collector;
let url: string;

beforeAll(async () => {
  world = await DifyWorld.start();
  collector = await startYaml(`
receivers:
  dify:
    endpoint: 127.0.0.1:0
${world.receiverYaml()}
exporters:
  file/posted: { path: ${posted}, flush_interval: 0s }
  file/queued: { path: ${queued}, flush_interval: 0s }
service:
  telemetry: { metrics: { level: none } }
  pipelines:
    traces/posted: { receivers: [dify], exporters: [file/posted] }
    traces/queued: { receivers: [dify_queue], exporters: [file/queued] }
`);
  url = `http://${componentOf<DifyReceiver>(collector, 'receiver', 'dify').address}/v1/dify/traces`;
}, 60_000);

afterAll(async () => {
  await collector?.shutdown();
  await world?.destroy();
});

const lines = (file: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];

async function eventually(cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}

const hasNodes = (name: string) =>
  existsSync(new URL(name.replace('.json', '.node_executions.json'), FIXTURES_DIR));
const item = (name: string) => (hasNodes(name) ? withNodes(name) : fixture(name));
const expectedSpans = (name: string) =>
  convertBatch([{ value: item(name) }]).traces.resourceSpans[0]?.scopeSpans[0]?.spans ?? [];
const spansOf = (line: string): readonly Span[] =>
  decodeTracesJson(line).resourceSpans[0]!.scopeSpans[0]!.spans;
const health = () =>
  collector.graph.host
    .status()
    .components.find((c) => c.id === 'dify_queue' && c.kind === 'receiver');
const idle = async () => {
  const l = await world.lengths();
  return l.queue === 0 && l.processing === 0;
};

describe('dify_queue: Dify’s queue, storage and database → the dify mapping → file exporter', () => {
  it('gives every shared fixture’s spans exactly as the dify receiver does, and cleans up', async () => {
    const names = envelopeFixtures();
    for (const name of names) await world.publish(name);
    for (const name of names) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(item(name)),
      });
      expect(res.status).toBe(200);
    }
    const withSpans = names.filter((n) => spanCount(convertBatch([{ value: item(n) }]).traces) > 0);
    expect(withSpans.length).toBeGreaterThanOrEqual(14);
    await eventually(async () => lines(queued).length >= withSpans.length && (await idle()));
    // One line per envelope on both paths; the queue takes them in any order.
    expect([...lines(queued)].sort()).toEqual([...lines(posted)].sort());
    expect(world.envelopeFiles()).toEqual([]);
    expect(await world.lengths()).toEqual({ queue: 0, processing: 0, deadLetter: 0 });
  });

  it('loaded the offloaded start-node inputs from storage, not the truncated row', () => {
    const nodes = lines(queued)
      .flatMap(spansOf)
      .filter((s) => s.name === 'Start' && s.traceId === '881fd2ebbcc14b76b5196e79c86a5694');
    expect(nodes).toHaveLength(1);
    const input = nodes[0]!.attributes.find((a) => a.key === 'input.value')?.value;
    expect(String(input)).toContain('written notice.');
    expect(String(input)).not.toContain('...');
  });

  it('waits out Redis going down and coming back, then takes the next message', async () => {
    await world.redis.stop();
    await new Promise((r) => setTimeout(r, 600));
    await world.redis.start();
    const before = lines(queued).length;
    await world.publish('message_chat.json');
    await eventually(async () => lines(queued).length === before + 1 && (await idle()));
    expect(spansOf(lines(queued).at(-1)!)).toEqual(expectedSpans('message_chat.json'));
    expect(world.envelopeFiles()).toEqual([]);
  });

  it('keeps a workflow message while the database is down, and finishes it when it is back', async () => {
    const before = lines(queued).length;
    await world.postgres.stop();
    const saved = await world.publish('workflow_failed.json');
    await eventually(async () => (await world.lengths()).processing === 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(lines(queued)).toHaveLength(before);
    expect(await world.lengths()).toMatchObject({ queue: 0, processing: 1 });
    expect(world.envelopeFiles()).toEqual([saved.key]);
    expect(health()).toMatchObject({
      state: 'degraded',
      reason: expect.stringContaining(
        'could not read node executions from postgres://postgres:[REDACTED]@',
      ),
    });
    await world.postgres.start();
    await eventually(async () => lines(queued).length === before + 1 && (await idle()));
    expect(health()).toMatchObject({ state: 'ok' });
    const spans = spansOf(lines(queued).at(-1)!);
    expect(spans).toEqual(expectedSpans('workflow_failed.json'));
    expect(spans).toHaveLength(4); // the run and its three node rows
    expect(world.envelopeFiles()).toEqual([]);
  });

  it('sets aside a missing file, a corrupt file and another task’s message, and goes on', async () => {
    const before = lines(queued).length;
    const missing = { appId: 'e0a1c3f1-5c2d-4c55-9d6e-2a4f1b7c9d10', fileId: 'f'.repeat(32) };
    await world.push(taskMessage(missing));
    const corrupt = saveEnvelope(world.root, '{"app_id": "a"}');
    writeFileSync(join(world.root, corrupt.key), '{"app_id": "5ca28c0c-541d-4926-8feb-24', 'utf8');
    await world.push(taskMessage(corrupt));
    await world.push(
      taskMessage(missing, { task: 'tasks.mail_task.send_email_code_login_mail_task' }),
    );
    await world.publish('tool_success.json');
    await eventually(async () => lines(queued).length === before + 1 && (await idle()));
    const dead = await world.deadLetters();
    expect(dead.map((d) => d.reason).sort()).toEqual([
      'file_missing',
      'not_an_envelope',
      'other_task',
    ]);
    expect(dead.find((d) => d.reason === 'not_an_envelope')).toMatchObject({
      file: corrupt.key,
      receiver: 'dify_queue',
    });
    // Each entry keeps the message as it was, so it can be pushed back onto ops_trace.
    for (const d of dead) expect(JSON.parse(String(d.message)).headers.task).toMatch(/^tasks\./);
    // The corrupt file stays for inspection; the good envelope is finished and gone.
    expect(world.envelopeFiles()).toEqual([corrupt.key]);
  });

  it('counts what it took, read, set aside and holds', async () => {
    const value = async (name: string, labels: Record<string, string> = {}) => {
      const values =
        (await collector.telemetry.registry.getSingleMetric(name)?.get())?.values ?? [];
      return values
        .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
        .reduce((sum, v) => sum + v.value, 0);
    };
    const receiver = { receiver: 'dify_queue' };
    // The fixtures, one message while Redis came back, one while the database was down, four
    // in the last test.
    const taken = envelopeFixtures().length + 1 + 1 + 4;
    expect(await value('otelcol_dify_queue_receiver_messages_taken_total', receiver)).toBe(taken);
    expect(
      await value('otelcol_dify_queue_receiver_envelopes_total', {
        ...receiver,
        trace_info_type: 'WorkflowTraceInfo',
      }),
    ).toBe(
      envelopeFixtures().filter((n) => fixture(n).trace_info_type === 'WorkflowTraceInfo').length +
        1,
    );
    // 5 + 4 + 3 rows, and workflow_failed's 3 again; the offloaded start-node inputs loaded.
    expect(await value('otelcol_dify_queue_receiver_node_rows_total', receiver)).toBe(15);
    expect(
      await value('otelcol_dify_queue_receiver_offloaded_payloads_total', { outcome: 'loaded' }),
    ).toBe(1);
    for (const reason of ['file_missing', 'not_an_envelope', 'other_task']) {
      expect(await value('otelcol_dify_queue_receiver_set_aside_total', { reason })).toBe(1);
    }
    expect(await value('otelcol_dify_queue_receiver_processing_messages', receiver)).toBe(0);
    expect(
      await value('otelcol_receiver_skipped_envelopes_total', { ...receiver, transport: 'redis' }),
    ).toBe(2);
    expect(
      await value('otelcol_receiver_accepted_spans_total', { ...receiver, transport: 'redis' }),
    ).toBeGreaterThan(0);
  });

  it('takes at most prefetch messages ahead, and processes concurrency at a time', async () => {
    const queue = 'ops_trace_prefetch';
    const config = difyQueueReceiverConfigSchema.parse({
      ...difyQueueReceiverFactory.createDefaultConfig(),
      redis: { url: world.brokerUrl, queue },
      storage: { type: 'opendal', root: world.root },
      database: { url: world.postgres.url() },
      concurrency: 1,
      prefetch: 2,
    });
    const waiting: Array<() => void> = [];
    let consumed = 0;
    const receiver = new DifyQueueReceiver(
      testSettings('receiver', 'dify_queue/prefetch'),
      config,
      {
        consume: () => new Promise<void>((resolve) => waiting.push(() => resolve(void consumed++))),
      },
    );
    await receiver.start(new TestHost());
    const names = [
      'message_chat.json',
      'moderation_flagged.json',
      'tool_error.json',
      'generate_name.json',
    ];
    for (const name of names) {
      await world.withRedis((c) =>
        c.lPush(queue, taskMessage(saveEnvelope(world.root, fixtureText(name)))),
      );
    }
    const lengths = () =>
      world.withRedis(async (c) => [
        await c.lLen(queue),
        await c.lLen(`dify-opik-collector:${queue}:processing`),
      ]);
    await eventually(async () => waiting.length === 1 && (await lengths())[1] === 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(waiting).toHaveLength(1);
    expect(await lengths()).toEqual([2, 2]);
    while (consumed < names.length) {
      await eventually(() => waiting.length > 0);
      waiting.shift()!();
      await new Promise((r) => setTimeout(r, 10));
    }
    await eventually(async () => (await lengths()).every((n) => n === 0));
    await receiver.shutdown();
  });
});
