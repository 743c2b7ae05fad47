/**
 * DESIGN §7 budget for the Dify receiver: at least 5,000 workflow traces with 5 node executions
 * each per second on one core. Prints three figures for the `workflow_app` fixture and its five
 * node rows (about 20 KB of JSON per trace):
 *   convert  — envelopes already parsed → spans (the mapping alone)
 *   decode   — request bodies (JSON text, 50 envelopes each) → spans, each envelope converted as
 *              soon as it is parsed (as the receiver does)
 *   http     — the real receiver on 127.0.0.1:0, bodies POSTed by a client in a worker thread
 *              (its own core), the pipeline a no-op consumer
 * Each figure is measured BENCH_ROUNDS times (default 3) for BENCH_SECONDS each (default 3); the
 * median and the best round are printed, because a shared machine is noisy.
 * Run: npm run build && node bench/dify.mjs. It runs the build, as the collector does: run from
 * the sources through vite-node (which puts every import behind a getter), the same code gave an
 * `http` figure about 15% lower.
 */
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { NO_LIMITS } from '../dist/otlp/limits.js';
import { convertBatch } from '../dist/receivers/dify/batch.js';
import { decodeItemsSteps } from '../dist/receivers/dify/decode.js';
import { difyReceiverFactory } from '../dist/receivers/dify/factory.js';
import { convertItem } from '../dist/receivers/dify/mapping/convert.js';
import { silentLogger } from '../dist/telemetry/logger.js';
import { createTelemetry } from '../dist/telemetry/telemetry.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PER_REQUEST = 50;
const FIXTURES = new URL('../src/receivers/dify/testdata/fixtures/', import.meta.url);
const envelope = JSON.parse(readFileSync(new URL('workflow_app.json', FIXTURES), 'utf8'));
const rows = JSON.parse(
  readFileSync(new URL('workflow_app.node_executions.json', FIXTURES), 'utf8'),
).rows;

/** The i-th distinct run: fresh run and node ids, so nothing can be cached between traces. */
function run(i) {
  const suffix = i.toString(16).padStart(12, '0');
  const runId = `881fd2eb-bcc1-4b76-b519-${suffix}`;
  return {
    ...envelope,
    trace_info: { ...envelope.trace_info, workflow_run_id: runId, trace_id: null },
    node_executions: rows.map((r, n) => ({
      ...r,
      id: `${String(r.id).slice(0, 24)}${(i * 8 + n).toString(16).padStart(12, '0')}`,
      workflow_run_id: runId,
    })),
  };
}

/** Calls per second of `call` over SECONDS, after a warm-up. */
function rate(call) {
  for (let i = 0; i < 200; i++) call(i);
  const t0 = process.hrtime.bigint();
  const deadline = t0 + BigInt(SECONDS * 1e9);
  let n = 0;
  while (process.hrtime.bigint() < deadline) call(n++);
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

/** Prints the median and best of ROUNDS measurements, in workflow traces per second. */
async function report(label, measure) {
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) rounds.push(await measure());
  rounds.sort((a, b) => a - b);
  const fmt = (n) => Math.round(n).toLocaleString('en');
  const median = fmt(rounds[Math.floor(rounds.length / 2)]);
  console.log(`${label.padEnd(8)} median ${median}, best ${fmt(rounds.at(-1))} workflow traces/s`);
}

/** The collector's side of a component, as far as a receiver without `auth` uses it: nothing. */
const HOST = {
  getExtension: () => undefined,
  reportStatus: () => {},
  publishDetails: () => {},
  collectorStatus: () => ({ ready: true, components: [], pipelines: [] }),
};

/** Workflow traces per second through the real receiver, the client in a worker thread. */
async function httpRate() {
  const config = difyReceiverFactory.configSchema.parse({
    ...difyReceiverFactory.createDefaultConfig(),
    endpoint: '127.0.0.1:0',
  });
  const settings = {
    id: 'dify',
    kind: 'receiver',
    logger: silentLogger(),
    telemetry: createTelemetry(),
  };
  const receiver = difyReceiverFactory.create(settings, config, { consume: async () => {} });
  await receiver.start(HOST);
  const worker = new Worker(new URL('./dify-client.mjs', import.meta.url), {
    workerData: {
      url: `http://${receiver.address}/v1/dify/traces`,
      bodies,
      seconds: SECONDS,
      concurrency: 8,
    },
  });
  const result = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await receiver.shutdown();
  if (result.failures > 0) throw new Error(`${result.failures} requests failed`);
  return (result.requests * PER_REQUEST) / result.seconds;
}

const parsed = Array.from({ length: 1000 }, (_, i) => run(i));
const bodies = Array.from({ length: 40 }, (_, b) =>
  Buffer.from(
    JSON.stringify(Array.from({ length: PER_REQUEST }, (_, i) => run(b * PER_REQUEST + i))),
  ),
);
console.log(
  `node ${process.version}, ${bodies[0].length} bytes per ${PER_REQUEST}-envelope body, ` +
    `${ROUNDS} rounds of ${SECONDS}s, 6 spans per workflow trace`,
);
await report('convert', () =>
  rate((i) => {
    if (convertItem(parsed[i % parsed.length]).outcome !== 'spans')
      throw new Error('not converted');
  }),
);
await report(
  'decode',
  () =>
    rate((i) => {
      const batch = convertBatch(
        decodeItemsSteps(bodies[i % bodies.length], 'json', NO_LIMITS.maxDepth),
      );
      if (batch.spanCount !== PER_REQUEST * 6) throw new Error('wrong span count');
    }) * PER_REQUEST,
);
await report('http', httpRate);
