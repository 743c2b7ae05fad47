/**
 * DESIGN §7 budget for the Dify receiver: at least 5,000 workflow traces with 5 node executions
 * each per second on one core. Prints three figures:
 *   convert  — envelopes already parsed → spans (the mapping alone)
 *   decode   — request bodies (JSON text, 50 envelopes each) → spans
 *   http     — the real receiver on 127.0.0.1:0, bodies POSTed by a client in a worker thread
 *              (its own core), the pipeline a no-op consumer
 * Run: npx vite-node bench/dify.bench.ts   (optional: BENCH_SECONDS=5)
 */
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { convertBatch } from '../src/receivers/dify/batch.js';
import { decodeItems } from '../src/receivers/dify/decode.js';
import { difyReceiverFactory } from '../src/receivers/dify/factory.js';
import { convertItem } from '../src/receivers/dify/mapping/convert.js';
import type { DifyReceiver } from '../src/receivers/dify/receiver.js';
import { testSettings } from '../src/testing/settings.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const PER_REQUEST = 50;
const FIXTURES = new URL('../src/receivers/dify/testdata/fixtures/', import.meta.url);
const envelope = JSON.parse(readFileSync(new URL('workflow_app.json', FIXTURES), 'utf8'));
const rows = JSON.parse(
  readFileSync(new URL('workflow_app.node_executions.json', FIXTURES), 'utf8'),
).rows;

/** The i-th distinct run: fresh run and node ids, so nothing can be cached between traces. */
function run(i: number): Record<string, unknown> {
  const suffix = i.toString(16).padStart(12, '0');
  const runId = `881fd2eb-bcc1-4b76-b519-${suffix}`;
  return {
    ...envelope,
    trace_info: { ...envelope.trace_info, workflow_run_id: runId, trace_id: null },
    node_executions: rows.map((r: Record<string, unknown>, n: number) => ({
      ...r,
      id: `${String(r.id).slice(0, 24)}${(i * 8 + n).toString(16).padStart(12, '0')}`,
      workflow_run_id: runId,
    })),
  };
}

function rate(label: string, unitsPerCall: number, call: (i: number) => void): number {
  for (let i = 0; i < 200; i++) call(i); // warm-up
  const t0 = process.hrtime.bigint();
  const deadline = t0 + BigInt(SECONDS * 1e9);
  let n = 0;
  while (process.hrtime.bigint() < deadline) call(n++);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const perSecond = (n * unitsPerCall) / secs;
  console.log(
    `${label.padEnd(8)} ${Math.round(perSecond).toLocaleString('en')} workflow traces/s (6 spans each)`,
  );
  return perSecond;
}

const parsed = Array.from({ length: 1000 }, (_, i) => run(i));
const bodies = Array.from({ length: 40 }, (_, b) =>
  Buffer.from(
    JSON.stringify(Array.from({ length: PER_REQUEST }, (_, i) => run(b * PER_REQUEST + i))),
  ),
);
console.log(
  `node ${process.version}, ${bodies[0]!.length} bytes per ${PER_REQUEST}-envelope body, ${SECONDS}s per figure`,
);
rate('convert', 1, (i) => {
  if (convertItem(parsed[i % parsed.length]).outcome !== 'spans') throw new Error('not converted');
});
rate('decode', PER_REQUEST, (i) => {
  if (convertBatch(decodeItems(bodies[i % bodies.length]!, 'json')).spanCount !== PER_REQUEST * 6) {
    throw new Error('wrong span count');
  }
});
await httpRate();

async function httpRate(): Promise<void> {
  const settings = testSettings('receiver', 'dify');
  let spans = 0;
  const receiver = difyReceiverFactory.create(
    settings,
    difyReceiverFactory.configSchema.parse({
      ...difyReceiverFactory.createDefaultConfig(),
      endpoint: '127.0.0.1:0',
    }),
    { consume: async () => {} },
  ) as DifyReceiver;
  await receiver.start();
  const worker = new Worker(new URL('./dify-client.mjs', import.meta.url), {
    workerData: {
      url: `http://${receiver.address}/v1/dify/traces`,
      bodies,
      seconds: SECONDS,
      concurrency: 8,
    },
  });
  const result = await new Promise<{ requests: number; seconds: number; failures: number }>(
    (resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    },
  );
  spans = Number((await settings.telemetry.receiverAcceptedSpans.get()).values[0]?.value ?? 0);
  await receiver.shutdown();
  const perSecond = (result.requests * PER_REQUEST) / result.seconds;
  console.log(
    `http     ${Math.round(perSecond).toLocaleString('en')} workflow traces/s (${result.requests} requests, ${result.failures} failed, ${spans} spans accepted)`,
  );
}
