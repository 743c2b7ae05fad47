// The overload the hardening issue probed: a collector with memory_limiter at 512 MiB, offered
// 4 MB OTLP/protobuf bodies by many clients at once for 30 s (about ten times what it can take),
// exporting to a local Opik stand-in through a memory queue. Prints the collector's peak RSS, the
// answers (accepted, refused with 503/429 and Retry-After), latency percentiles and the longest
// event-loop stall the collector reported. `node bench/overload.mjs` after `npm run build`;
// OVERLOAD_SECONDS, OVERLOAD_CLIENTS and OVERLOAD_LIMIT_MIB change the scenario;
// OVERLOAD_MIX=hostile sends, instead of valid 4 MB bodies, the largest hostile bodies the
// receivers must read whole: gzip bombs inflating to just under 20 MiB, 18 MB Dify envelopes with
// 8,000 node rows, 16 MB OTLP/JSON bodies.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import { encodeTracesJson } from '../dist/otlp/json-codec.js';
import { encodeTracesRequest } from '../dist/otlp/proto-codec.js';
import { makeSpan, makeTraces } from '../dist/pdata/span.js';
import { rssMiB, start, stop } from './proc.mjs';

const SECONDS = Number(process.env.OVERLOAD_SECONDS ?? 30);
const CLIENTS = Number(process.env.OVERLOAD_CLIENTS ?? 40);
const LIMIT_MIB = Number(process.env.OVERLOAD_LIMIT_MIB ?? 512);
const HOSTILE = process.env.OVERLOAD_MIX === 'hostile';
const root = new URL('..', import.meta.url).pathname;

const sink = await start([join(root, 'bench/sink-server.mjs')], (l) => {
  try {
    return JSON.parse(l).port;
  } catch {
    return undefined;
  }
});
const dir = mkdtempSync(join(tmpdir(), 'overload-'));
const config = join(dir, 'collector.yaml');
writeFileSync(
  config,
  `receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
  dify:
    endpoint: 127.0.0.1:0
processors:
  memory_limiter: { check_interval: 1s, limit_mib: ${LIMIT_MIB} }
exporters:
  opik:
    endpoint: http://127.0.0.1:${sink.match}/api
    detect_id_overrides: false
    sending_queue: { enabled: true, sizer: items, queue_size: 100000, num_consumers: 4 }
service:
  telemetry: { logs: { level: info }, metrics: { level: none } }
  pipelines:
    traces: { receivers: [otlp, dify], processors: [memory_limiter], exporters: [opik] }
`,
);
const collector = await start([join(root, 'dist/cli/collector.js'), '--config', config], (l) => {
  try {
    const j = JSON.parse(l);
    return j.msg === 'OTLP/HTTP receiver listening' ? j.endpoint : undefined;
  } catch {
    return undefined;
  }
});
const url = `http://${collector.match}/v1/traces`;
const difyUrl = await new Promise((resolve) => {
  collector.child.stderr.on('data', function find(chunk) {
    const m = /"endpoint":"([^"]+)","tls":false,"msg":"dify receiver listening"/.exec(
      String(chunk),
    );
    if (m) resolve(`http://${m[1]}/v1/dify/traces`);
  });
});

const spans = (n, size) =>
  makeTraces(
    Array.from({ length: n }, (_, i) =>
      makeSpan({
        traceId: (i >> 4).toString(16).padStart(32, 'a'),
        spanId: i.toString(16).padStart(16, 'b'),
        name: `overload-${i}`,
        attributes: [{ key: 'input.value', value: 'x'.repeat(size) }],
      }),
    ),
  );
// 2,000 spans of about 2 KB: a 4 MB body.
const body = Buffer.from(encodeTracesRequest(spans(2000, 2000)));
const fixtures = join(root, 'src/receivers/dify/testdata/fixtures');
const envelope = JSON.parse(readFileSync(join(fixtures, 'workflow_app.json'), 'utf8'));
const row = JSON.parse(readFileSync(join(fixtures, 'workflow_app.node_executions.json'), 'utf8'))
  .rows[0];
const hostile = [
  [
    url,
    gzipSync(Buffer.alloc(19 * 1048576)),
    { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
  ],
  [
    difyUrl,
    Buffer.from(
      JSON.stringify({
        ...envelope,
        node_executions: Array.from({ length: 8000 }, (_, i) => ({ ...row, id: `r-${i}` })),
      }),
    ),
    { 'content-type': 'application/json' },
  ],
  [url, Buffer.from(encodeTracesJson(spans(8000, 1500))), { 'content-type': 'application/json' }],
];
let turn = 0;
const next = () =>
  HOSTILE
    ? hostile[turn++ % hostile.length]
    : [url, body, { 'content-type': 'application/x-protobuf' }];

const baseline = rssMiB(collector.child.pid);
let peak = baseline;
const sampler = setInterval(() => {
  peak = Math.max(peak, rssMiB(collector.child.pid));
}, 50);
const answers = {};
const latencies = [];
const until = Date.now() + SECONDS * 1000;
await Promise.all(
  Array.from({ length: CLIENTS }, async () => {
    while (Date.now() < until) {
      const t0 = performance.now();
      const [target, payload, headers] = next();
      try {
        const res = await request(target, {
          method: 'POST',
          body: payload,
          headers,
          headersTimeout: 120_000,
          bodyTimeout: 120_000,
        });
        await res.body.dump();
        answers[res.statusCode] = (answers[res.statusCode] ?? 0) + 1;
        if (res.statusCode !== 200) {
          const wait = Number(res.headers['retry-after'] ?? 1);
          await new Promise((r) => setTimeout(r, Math.min(wait, 1) * 1000 * Math.random()));
        }
      } catch (err) {
        answers[err.code ?? 'error'] = (answers[err.code ?? 'error'] ?? 0) + 1;
      }
      latencies.push(performance.now() - t0);
    }
  }),
);
clearInterval(sampler);
latencies.sort((a, b) => a - b);
const pct = (p) =>
  Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]);
await stop(collector.child);
await stop(sink.child);
console.log(
  JSON.stringify({
    mix: HOSTILE ? 'hostile' : 'valid 4 MB OTLP/protobuf',
    seconds: SECONDS,
    clients: CLIENTS,
    limitMiB: LIMIT_MIB,
    rssStartMiB: Math.round(baseline),
    rssPeakMiB: Math.round(peak),
    answers,
    latencyMs: { p50: pct(0.5), p99: pct(0.99), max: Math.round(latencies.at(-1)) },
  }),
);
