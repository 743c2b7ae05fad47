/**
 * The `opik` receiver's decoding cost, on the spans batch Dify's Opik provider sends for the
 * `workflow_chatflow` fixture (test/fixtures/dify-opik-provider: 5 spans, ~15 KB of Python-style
 * JSON, gzip level 9). Prints spans per second, median and best of BENCH_ROUNDS (default 3)
 * rounds of BENCH_SECONDS (default 3) each:
 *   json.parse — gunzip + JSON.parse only (the floor any JSON receiver pays)
 *   decode     — gunzip + lossless parse + Opik's checks + pipeline spans (what the receiver does)
 * Run: npx vite-node bench/opik-receiver.bench.ts
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { readBatch } from '../src/receivers/opik/items.js';
import { parseLossless } from '../src/receivers/opik/lossless-json.js';
import { toSpan } from '../src/receivers/opik/to-span.js';
import { difyWrites } from '../test/fixtures/dify-opik-provider/requests.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const request = difyWrites('workflow_chatflow.json').batch.find((r) =>
  r.path.endsWith('/spans/batch'),
)!;
const body = gzipSync(Buffer.from(request.json!, 'utf8'), { level: 9 });
const SPANS = (JSON.parse(request.json!) as { spans: unknown[] }).spans.length;
const newId = () => '019ad8f1-3a40-7fff-8000-00000000ffff';

function rate(call: () => void): number {
  for (let i = 0; i < 200; i++) call();
  const t0 = process.hrtime.bigint();
  const deadline = t0 + BigInt(SECONDS * 1e9);
  let n = 0;
  while (process.hrtime.bigint() < deadline) {
    call();
    n++;
  }
  return (n * SPANS) / (Number(process.hrtime.bigint() - t0) / 1e9);
}

function report(label: string, call: () => void): void {
  const rounds = Array.from({ length: ROUNDS }, () => rate(call)).sort((a, b) => a - b);
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  process.stdout.write(
    `${label.padEnd(11)} median ${fmt(rounds[Math.floor(ROUNDS / 2)]!)} spans/s, best ${fmt(rounds.at(-1)!)} spans/s\n`,
  );
}

process.stdout.write(
  `body: ${body.length} bytes gzip, ${request.json!.length} characters, ${SPANS} spans\n`,
);
report('json.parse', () => {
  JSON.parse(gunzipSync(body).toString('utf8'));
});
report('decode', () => {
  const items = readBatch(parseLossless(gunzipSync(body).toString('utf8')), 'span', newId);
  if (!Array.isArray(items)) throw new Error('refused');
  for (const it of items) toSpan(it, 0n);
});
