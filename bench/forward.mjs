// `node bench/forward.mjs [otlp,otlphttp]`: what forwarding costs a sidecar. A sidecar (OTLP/HTTP
// in → `otlp` or `otlphttp` exporter with a memory queue) forwards to a gateway (OTLP in → `debug`),
// each a process of the built CLI, under the load generator: by default the Collector testbed's
// 10k spans/s (100 requests/s of 100 spans) for 15 s; BENCH_MODE=closed BENCH_CONCURRENCY=16 for
// the most it takes. Prints one JSON line per exporter: the load achieved, the sidecar's CPU (% of
// one core, averaged over the run) and RSS at the end, the gateway's CPU, and the spans the gateway
// accepted, which must equal the spans sent. Needs a build (`npm run build`).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds, rssMiB, runJson, start, stop } from './proc.mjs';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist/cli/collector.js');
const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const mode = process.env.BENCH_MODE ?? 'open';
const rateOrConcurrency = process.env.BENCH_CONCURRENCY ?? (mode === 'open' ? '100' : '16');
const dir = mkdtempSync(join(tmpdir(), 'bench-forward-'));
const json = (line) => {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
};
const write = (name, text) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const gatewayConfig = write(
  'gateway.yaml',
  `receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:0 }
      http: { endpoint: 127.0.0.1:0 }
exporters:
  debug: {}
service:
  telemetry: { metrics: { address: 127.0.0.1:0 } }
  pipelines:
    traces: { receivers: [otlp], exporters: [debug] }
`,
);

const sidecarConfig = (kind, gateway) =>
  write(
    `sidecar-${kind}.yaml`,
    `receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
exporters:
  ${kind === 'otlp' ? `otlp:\n    endpoint: ${gateway.grpc}\n    tls: { insecure: true }` : `otlphttp:\n    endpoint: http://${gateway.http}`}
    sending_queue:
      sizer: items
      queue_size: 10000000
      num_consumers: 4
      batch: { min_size: 1000, max_size: 1000, flush_timeout: 200ms }
service:
  telemetry: { metrics: { level: none } }
  pipelines:
    traces: { receivers: [otlp], exporters: [${kind}] }
`,
  );

async function acceptedBy(metricsAddress) {
  const text = await (await fetch(`http://${metricsAddress}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('otelcol_receiver_accepted_spans_total'))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

for (const kind of (process.argv[2] ?? 'otlp,otlphttp').split(',')) {
  const logs = [];
  const gateway = await start([cli, '--config', gatewayConfig], (line) => {
    const l = json(line);
    if (l) logs.push(l);
    return l?.msg === 'collector started' ? l : undefined;
  });
  const endpoint = (msg) => logs.find((l) => l.msg === msg).endpoint;
  const addresses = {
    grpc: endpoint('OTLP/gRPC receiver listening'),
    http: endpoint('OTLP/HTTP receiver listening'),
  };
  const sidecar = await start([cli, '--config', sidecarConfig(kind, addresses)], (line) => {
    const l = json(line);
    return l?.msg === 'OTLP/HTTP receiver listening' ? l.endpoint : undefined;
  });
  const cpu0 = [cpuSeconds(sidecar.child.pid), cpuSeconds(gateway.child.pid)];
  const t0 = performance.now();
  const load = await runJson([
    join(root, 'bench/load.mjs'),
    `http://${sidecar.match}/v1/traces`,
    mode,
    rateOrConcurrency,
    String(seconds),
  ]);
  const wall = (performance.now() - t0) / 1000;
  const pct = (pid, before) => Math.round(((cpuSeconds(pid) - before) / wall) * 100);
  const result = {
    exporter: kind,
    spansPerSecond: Math.round(load.spansPerSecond),
    p99ms: Math.round(load.p99ms),
    sidecarCpuPct: pct(sidecar.child.pid, cpu0[0]),
    sidecarRssMiB: Math.round(rssMiB(sidecar.child.pid)),
    gatewayCpuPct: pct(gateway.child.pid, cpu0[1]),
    sent: load.requests * 100,
  };
  const until = Date.now() + 10_000;
  let accepted = await acceptedBy(gateway.match.metrics);
  while (accepted < result.sent && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 200));
    accepted = await acceptedBy(gateway.match.metrics);
  }
  console.log(JSON.stringify({ ...result, gatewayAccepted: accepted }));
  await stop(sidecar.child);
  await stop(gateway.child);
}
