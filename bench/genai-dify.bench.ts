/**
 * The `genai` processor on Dify's provider spans: workflow runs per second through the hold and
 * the rebuild, for the `workflow_chatflow_iteration` run (13 spans) as the legacy Phoenix dialect
 * sends it (one span per request, the run's span last), the unified dialect (one per request,
 * parents first) and Aliyun 1.17 (one request per run). Requests are made before the clock
 * starts, each run with fresh OTel ids; the pipeline behind `genai` is a no-op consumer. Prints
 * the median and best of BENCH_ROUNDS (default 3) rounds of BENCH_RUNS runs (default 2000), and
 * the hold's state after each (it must be empty: every run named itself). `phoenix, stored`
 * keeps the hold in `file_storage` (`dify_hold::storage`, SQLite in a temp directory, fsync off).
 * Run: npx vite-node bench/genai-dify.bench.ts
 */
import type { Traces } from '../src/pdata/traces.js';
import { genAiProcessorFactory } from '../src/processors/genai/factory.js';
import { TestHost, testSettings } from '../src/testing/settings.js';
import { hostWithFileStorage } from '../src/testing/storage-host.js';
import { aliyun, phoenixLegacy, phoenixUnified, RUNS } from '../test/fixtures/genai/dify/runs.js';

const RUNS_PER_ROUND = Number(process.env.BENCH_RUNS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const run = RUNS.find((r) => r.name === 'a chatflow with an iteration')!;

async function rate(make: () => Traces[], stored = false): Promise<number> {
  const requests = Array.from({ length: RUNS_PER_ROUND }, make);
  const defaults = genAiProcessorFactory.createDefaultConfig() as {
    dify_hold: Record<string, unknown>;
  };
  const config = genAiProcessorFactory.configSchema.parse({
    ...defaults,
    dify_hold: { ...defaults.dify_hold, ...(stored ? { storage: 'file_storage' } : {}) },
  });
  const storage = stored ? await hostWithFileStorage() : undefined;
  const genai = genAiProcessorFactory.create(testSettings('processor', 'genai', 'traces'), config, {
    consume: async () => {},
  });
  await genai.start(storage?.host ?? new TestHost());
  const t0 = process.hrtime.bigint();
  for (const run of requests) for (const r of run) await genai.consume(r);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await genai.shutdown();
  await storage?.storage.shutdown();
  return RUNS_PER_ROUND / seconds;
}

for (const [label, make, stored] of [
  ['phoenix', () => phoenixLegacy(run), false],
  ['phoenix, stored', () => phoenixLegacy(run), true],
  ['unified', () => phoenixUnified(run), false],
  ['aliyun', () => aliyun(run, '1.17'), false],
] as const) {
  const rounds: number[] = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await rate(make, stored));
  rounds.sort((a, b) => a - b);
  const fmt = (n: number) => Math.round(n).toLocaleString('en');
  console.log(
    `${label.padEnd(16)} median ${fmt(rounds[Math.floor(ROUNDS / 2)]!)}, best ${fmt(rounds.at(-1)!)} runs/s (13 spans each)`,
  );
}
