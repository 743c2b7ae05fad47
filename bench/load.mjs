// Load generator, run in its own process: sends the same 100-span OTLP/HTTP protobuf request
// either as fast as `concurrency` allows (closed loop) or at a fixed rate (open loop), and prints
// one JSON line with what it achieved.
import { Pool } from 'undici';
import { makeRequestBody } from './request.mjs';

const [url, mode, concurrencyOrRate, seconds, spansPerRequest = '100'] = process.argv.slice(2);
const body = makeRequestBody(Number(spansPerRequest));
const target = new URL(url);
const pool = new Pool(target.origin, { connections: 64, pipelining: 1 });
const durationMs = Number(seconds) * 1000;
let ok = 0;
let failed = 0;
const latencies = [];

async function send() {
  const start = performance.now();
  try {
    const res = await pool.request({
      path: target.pathname,
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body,
    });
    await res.body.dump();
    if (res.statusCode === 200) ok++;
    else failed++;
  } catch {
    failed++;
  }
  latencies.push(performance.now() - start);
}

const began = performance.now();
if (mode === 'closed') {
  const workers = Array.from({ length: Number(concurrencyOrRate) }, async () => {
    while (performance.now() - began < durationMs) await send();
  });
  await Promise.all(workers);
} else {
  // Open loop: one request every 1000/rate ms, whatever the answers do.
  const rate = Number(concurrencyOrRate);
  const inflight = new Set();
  for (let i = 0; performance.now() - began < durationMs; i++) {
    const due = began + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const p = send().finally(() => inflight.delete(p));
    inflight.add(p);
  }
  await Promise.all(inflight);
}
const elapsed = (performance.now() - began) / 1000;
latencies.sort((a, b) => a - b);
const pct = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
process.stdout.write(
  `${JSON.stringify({
    requests: ok,
    failed,
    seconds: elapsed,
    requestsPerSecond: ok / elapsed,
    spansPerSecond: (ok * Number(spansPerRequest)) / elapsed,
    p50ms: pct(0.5),
    p99ms: pct(0.99),
  })}\n`,
);
await pool.close();
