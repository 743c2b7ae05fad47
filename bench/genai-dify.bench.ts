/**
 * The `genai` processor on Dify's provider spans: workflow runs per second through the hold and
 * the rebuild, for the `workflow_chatflow_iteration` run (13 spans) as the legacy Phoenix dialect
 * sends it (one span per request, the run's span last), the unified dialect (one per request,
 * parents first) and Aliyun 1.17 (one request per run). Requests are made before the clock
 * starts, each run with fresh OTel ids; the pipeline behind `genai` is a no-op consumer. Prints
 * the median and best of BENCH_ROUNDS (default 3) rounds of BENCH_RUNS runs (default 2000), and
 * the hold's state after each (it must be empty: every run named itself).
 * Run: npx vite-node bench/genai-dify.bench.ts
 */
import type { Traces } from '../src/pdata/traces.js';
import { genAiProcessorFactory } from '../src/processors/genai/factory.js';
import { TestHost, testSettings } from '../src/testing/settings.js';
import { aliyun, phoenixLegacy, phoenixUnified, RUNS } from '../test/fixtures/genai/dify/runs.js';

const RUNS_PER_ROUND = Number(process.env.BENCH_RUNS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const run = RUNS.find((r) => r.name === 'a chatflow with an iteration')!;

async function rate(make: () => Traces[]): Promise<number> {
  const requests = Array.from({ length: RUNS_PER_ROUND }, make);
  const config = genAiProcessorFactory.configSchema.parse(
    genAiProcessorFactory.createDefaultConfig(),
  );
  const genai = genAiProcessorFactory.create(testSettings('processor', 'genai', 'traces'), config, {
    consume: async () => {},
  });
  await genai.start(new TestHost());
  const t0 = process.hrtime.bigint();
  for (const run of requests) for (const r of run) await genai.consume(r);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await genai.shutdown();
  return RUNS_PER_ROUND / seconds;
}

for (const [label, make] of [
  ['phoenix', () => phoenixLegacy(run)],
  ['unified', () => phoenixUnified(run)],
  ['aliyun', () => aliyun(run, '1.17')],
] as const) {
  const rounds: number[] = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await rate(make));
  rounds.sort((a, b) => a - b);
  const fmt = (n: number) => Math.round(n).toLocaleString('en');
  console.log(
    `${label.padEnd(8)} median ${fmt(rounds[Math.floor(ROUNDS / 2)]!)}, best ${fmt(rounds.at(-1)!)} runs/s (13 spans each)`,
  );
}
