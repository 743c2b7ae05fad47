// `npm run bench:shared`: three collectors, each at 5,000 spans/s, with their trace-id memory in
// a real redis-server (`redis_storage`) against the same three with memory of their own. Every
// tick makes 30 new traces of 10 spans and sends each collector a third of every trace (100 spans
// per request), as sidecars see one distributed trace. Measured: CPU of each collector and of
// Redis at that fixed load, latency, and the most each setup takes when pushed (closed loop).
// Needs a build and `redis-server` (Debian package). Prints a Markdown table and one JSON line.
//
//   node bench/shared-memory.mjs [seconds per phase, default 8]
//   node bench/shared-memory.mjs load <url,url,url> <open|closed> <ticks/s | lanes> <seconds>
import { spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { cpuSeconds, runJson, start, stop } from './proc.mjs';
import { ExportTraceServiceRequest } from './request.mjs';

const COLLECTORS = 3;
const TRACES_PER_TICK = 30;
const SPANS_PER_TRACE = 10;
const SPANS_PER_REQUEST = (TRACES_PER_TICK * SPANS_PER_TRACE) / COLLECTORS;
const TARGET_SPANS_PER_S = 5000;
/** Ticks in flight at once in the closed loop (each one request per collector). */
const LANES = 16;
const root = new URL('..', import.meta.url).pathname;

// ---------------------------------------------------------------------------------- load side

/**
 * One request per collector and tick. The bodies are encoded once with placeholder trace ids;
 * each tick writes 30 fresh random ids over the placeholders, the same in all three requests.
 */
function ticks() {
  const placeholder = (t) => Buffer.alloc(16, 0x11 + t);
  const now = BigInt(Date.now()) * 1_000_000n;
  const bodies = Array.from({ length: COLLECTORS }, (_, c) => {
    const spans = [];
    for (let t = 0; t < TRACES_PER_TICK; t++) {
      for (let s = 0; s < SPANS_PER_TRACE; s++) {
        if (s % COLLECTORS !== c) continue;
        const id = (n) => Buffer.from(`${String(t).padStart(4, '0')}${String(n).padStart(4, '0')}`);
        spans.push({
          traceId: placeholder(t),
          spanId: id(s + 1),
          parentSpanId: s === 0 ? undefined : id(1),
          name: s === 0 ? 'request' : 'llm-call',
          kind: s === 0 ? 2 : 3,
          startTimeUnixNano: (now + BigInt(s) * 1_000_000n).toString(),
          endTimeUnixNano: (now + BigInt(s + 1) * 1_000_000n).toString(),
          attributes: [
            { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
            { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4.1-mini' } },
            { key: 'gen_ai.usage.input_tokens', value: { intValue: 120 } },
          ],
        });
      }
    }
    const message = ExportTraceServiceRequest.fromObject({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: `svc-${c}` } }] },
          scopeSpans: [{ scope: { name: 'bench' }, spans }],
        },
      ],
    });
    const body = Buffer.from(ExportTraceServiceRequest.encode(message).finish());
    const offsets = Array.from({ length: TRACES_PER_TICK }, (_, t) => {
      const at = [];
      for (let i = body.indexOf(placeholder(t)); i >= 0; i = body.indexOf(placeholder(t), i + 16))
        at.push(i);
      return at;
    });
    return { body, offsets, spans: spans.length };
  });
  const ids = Buffer.alloc(16 * TRACES_PER_TICK);
  return () => {
    randomFillSync(ids);
    return bodies.map(({ body, offsets, spans }) => {
      const out = Buffer.from(body);
      offsets.forEach((at, t) => {
        for (const i of at) ids.copy(out, i, t * 16, t * 16 + 16);
      });
      return { body: out, spans };
    });
  };
}

async function runLoad(urls, mode, n, seconds) {
  const targets = urls.split(',').map((u) => new URL(u));
  const pools = targets.map((t) => new Pool(t.origin, { connections: 32 }));
  const next = ticks();
  const durationMs = Number(seconds) * 1000;
  let spans = 0;
  let failed = 0;
  const latencies = [];
  const send = async (pool, target, { body, spans: count }) => {
    const began = performance.now();
    try {
      const res = await pool.request({
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body,
      });
      await res.body.dump();
      if (res.statusCode === 200) spans += count;
      else failed++;
    } catch {
      failed++;
    }
    latencies.push(performance.now() - began);
  };
  const tick = () => Promise.all(next().map((r, c) => send(pools[c], targets[c], r)));
  const began = performance.now();
  if (mode === 'closed') {
    const lanes = Array.from({ length: Number(n) }, async () => {
      while (performance.now() - began < durationMs) await tick();
    });
    await Promise.all(lanes);
  } else {
    const rate = Number(n);
    const inflight = new Set();
    for (let i = 0; performance.now() - began < durationMs; i++) {
      const wait = began + (i * 1000) / rate - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const p = tick().finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await Promise.all(inflight);
  }
  const elapsed = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  await Promise.all(pools.map((p) => p.close()));
  process.stdout.write(
    `${JSON.stringify({ spansPerSecond: spans / elapsed, failed, p50ms: pct(0.5), p99ms: pct(0.99) })}\n`,
  );
}

// ---------------------------------------------------------------------------- orchestration

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startRedis(dir) {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.on('data', (c) => {
      if (String(c).includes('Ready to accept connections')) resolve();
    });
  });
  return { child, url: `redis://127.0.0.1:${port}/0` };
}

function collectorConfig(dir, sinkPort, redisUrl) {
  const path = join(dir, `collector-${redisUrl ? 'shared' : 'local'}.yaml`);
  writeFileSync(
    path,
    `${redisUrl ? `extensions:\n  redis_storage: { url: "${redisUrl}" }\n` : ''}receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
exporters:
  opik:
    endpoint: http://127.0.0.1:${sinkPort}/api
    detect_id_overrides: false
${redisUrl ? '    trace_id_memory: { storage: redis_storage, ttl: 3h }\n' : ''}service:
${redisUrl ? '  extensions: [redis_storage]\n' : ''}  telemetry: { logs: { level: info }, metrics: { level: none } }
  pipelines:
    traces: { receivers: [otlp], exporters: [opik] }
`,
  );
  return path;
}

const listening = (line) => {
  try {
    const l = JSON.parse(line);
    return l.msg === 'OTLP/HTTP receiver listening' ? l.endpoint : undefined;
  } catch {
    return undefined;
  }
};

async function redisStats(url) {
  const { createClient } = await import('@redis/client');
  const client = createClient({ url });
  await client.connect();
  const keys = await client.dbSize();
  const memory = /used_memory:(\d+)/.exec(await client.info('memory'))?.[1];
  client.destroy();
  return { keys, usedMemoryBytes: Number(memory) };
}

async function flushRedis(url) {
  const { createClient } = await import('@redis/client');
  const client = createClient({ url });
  await client.connect();
  await client.flushAll();
  client.destroy();
}

/** CPU seconds each process used while `work` ran, as % of one core. */
async function cpuDuring(pids, work) {
  const before = pids.map(cpuSeconds);
  const began = performance.now();
  const result = await work();
  const seconds = (performance.now() - began) / 1000;
  return { result, cpuPct: pids.map((p, i) => ((cpuSeconds(p) - before[i]) / seconds) * 100) };
}

async function main(seconds) {
  const cli = join(root, 'dist/cli/collector.js');
  if (!existsSync(cli)) throw new Error('run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'bench-shared-'));
  const redis = await startRedis(dir);
  const sink = await start([join(root, 'bench/sink-server.mjs')], (l) => {
    try {
      return JSON.parse(l).port;
    } catch {
      return undefined;
    }
  });
  const load = (urls, mode, n, s = seconds) =>
    runJson([
      join(root, 'bench/shared-memory.mjs'),
      'load',
      urls.join(','),
      mode,
      String(n),
      String(s),
    ]);
  const results = { loadAverageBefore: loadavg()[0] };
  try {
    for (const mode of ['local', 'shared']) {
      await flushRedis(redis.url);
      const empty = await redisStats(redis.url);
      const config = collectorConfig(dir, sink.match, mode === 'shared' ? redis.url : undefined);
      const collectors = [];
      for (let i = 0; i < COLLECTORS; i++)
        collectors.push(await start([cli, '--config', config], listening));
      const urls = collectors.map((c) => `http://${c.match}/v1/traces`);
      const pids = [...collectors.map((c) => c.child.pid), redis.child.pid];
      await load(urls, 'closed', LANES, 2); // warm-up (JIT, connections), not counted
      const steady = await cpuDuring(pids, () =>
        load(urls, 'open', TARGET_SPANS_PER_S / SPANS_PER_REQUEST),
      );
      const stats = await redisStats(redis.url);
      const pushed = await cpuDuring(pids, () => load(urls, 'closed', LANES));
      const perKey =
        stats.keys > 0 ? (stats.usedMemoryBytes - empty.usedMemoryBytes) / stats.keys : 0;
      results[mode] = { steady, pushed, redis: { ...stats, bytesPerKey: perKey } };
      for (const c of collectors) await stop(c.child);
    }
  } finally {
    await stop(sink.child);
    redis.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
  results.loadAverageAfter = loadavg()[0];
  report(results, seconds);
}

function report(results, seconds) {
  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  const collectorsCpu = (r) =>
    r.cpuPct
      .slice(0, COLLECTORS)
      .map((c) => c.toFixed(0))
      .join(' / ');
  const row = (mode, r) =>
    `| ${mode} | ${fmt(r.steady.result.spansPerSecond)} | ${collectorsCpu(r.steady)} % | ${r.steady.cpuPct[COLLECTORS].toFixed(1)} % | ${r.steady.result.p50ms.toFixed(1)} / ${r.steady.result.p99ms.toFixed(1)} ms | ${fmt(r.pushed.result.spansPerSecond)} | ${r.steady.result.failed + r.pushed.result.failed} |`;
  const cost =
    1 - results.shared.pushed.result.spansPerSecond / results.local.pushed.result.spansPerSecond;
  const signed = (x) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(0)}%`;
  const cpuSum = (r) => r.steady.cpuPct.slice(0, COLLECTORS).reduce((a, b) => a + b, 0);
  const lines = [
    `${COLLECTORS} collectors × ${fmt(TARGET_SPANS_PER_S)} spans/s (${SPANS_PER_REQUEST}-span requests, each trace's spans spread over all three), ${seconds} s per phase, ${cpus().length} cores (1-minute load average ${results.loadAverageBefore.toFixed(1)} before, ${results.loadAverageAfter.toFixed(1)} after), Node ${process.version}.`,
    '',
    '| trace-id memory | spans/s at the fixed load (all three) | CPU per collector | CPU of redis-server | request p50 / p99 | spans/s pushed (closed loop, all three) | failed requests |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('local (each its own memory)', results.local),
    row('shared (`redis_storage`)', results.shared),
    '',
    `Cost of the shared memory: ${(cost * 100).toFixed(0)}% of the pushed throughput; collector CPU at the fixed load ${signed(cpuSum(results.shared) / cpuSum(results.local) - 1)}. Redis held ${fmt(results.shared.redis.keys)} keys, one per trace, about ${fmt(results.shared.redis.bytesPerKey)} bytes each, after the warm-up and the fixed load.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n${JSON.stringify(results)}\n`);
}

if (process.argv[2] === 'load') await runLoad(...process.argv.slice(3));
else await main(Number(process.argv[2] ?? process.env.BENCH_SECONDS ?? 8));
