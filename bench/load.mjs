// Load generator, run in its own process: sends 100-span OTLP/HTTP protobuf requests of one shape
// (bench/request.mjs), each with fresh trace and span ids, either as fast as `concurrency`
// connections allow (closed loop: each connection sends its next request when the previous one is
// answered) or at a fixed rate whatever the answers do (open loop; latency then counts from when a
// request was due, so a stalled server is not hidden by a generator that waits for it). Prints one
// JSON line with what it achieved.
//   node bench/load.mjs <url> closed <concurrency> <seconds> [shape]
//   node bench/load.mjs <url> open <requests per second> <seconds> [shape]
import { Pool } from 'undici';
import { freshBody, makeTemplate } from './request.mjs';

const SPANS = 100;
const [url, mode, concurrencyOrRate, seconds, shape = 'testbed'] = process.argv.slice(2);
const template = makeTemplate(SPANS, shape);
const target = new URL(url);
const pool = new Pool(target.origin, { connections: 64, pipelining: 1 });
const durationMs = Number(seconds) * 1000;
let sent = 0;
let ok = 0;
let failed = 0;
const latencies = [];

async function send(due = performance.now()) {
  sent++;
  try {
    const res = await pool.request({
      path: target.pathname,
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: freshBody(template),
    });
    await res.body.dump();
    if (res.statusCode === 200) ok++;
    else failed++;
  } catch {
    failed++;
  }
  latencies.push(performance.now() - due);
}

const began = performance.now();
if (mode === 'closed') {
  const workers = Array.from({ length: Number(concurrencyOrRate) }, async () => {
    while (performance.now() - began < durationMs) await send();
  });
  await Promise.all(workers);
} else if (mode === 'open') {
  const rate = Number(concurrencyOrRate);
  const inflight = new Set();
  for (let i = 0; ; i++) {
    const due = began + (i * 1000) / rate;
    if (due - began >= durationMs) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const p = send(due).finally(() => inflight.delete(p));
    inflight.add(p);
  }
  await Promise.all(inflight);
} else {
  throw new Error(`mode must be closed or open, not ${mode}`);
}
const elapsed = (performance.now() - began) / 1000;
latencies.sort((a, b) => a - b);
const pct = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
process.stdout.write(
  `${JSON.stringify({
    shape,
    mode,
    requestBytes: template.body.length,
    sent,
    requests: ok,
    failed,
    seconds: elapsed,
    requestsPerSecond: ok / elapsed,
    spansPerSecond: (ok * SPANS) / elapsed,
    p50ms: pct(0.5),
    p99ms: pct(0.99),
  })}\n`,
);
await pool.close();
