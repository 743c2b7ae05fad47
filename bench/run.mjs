// `npm run bench`: measures DESIGN §7's budgets in one run on this machine and writes the figures
// and their ratios to docs/benchmarks.md. Every server runs in its own process; the load generator
// too. Needs a build (`npm run build`, which `npm install` runs).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runJson, sample, start, stop } from './proc.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist/cli/main.js');
if (!existsSync(cli)) throw new Error('run `npm run build` first');
const port = (line) => {
  try {
    return JSON.parse(line).port;
  } catch {
    return undefined;
  }
};
const listening = (line) => {
  try {
    const l = JSON.parse(line);
    return l.msg === 'OTLP/HTTP receiver listening' ? l.endpoint : undefined;
  } catch {
    return undefined;
  }
};

/**
 * queue: 'none' (the exporter answers after delivery), 'memory', or 'disk' (file_storage, fsync
 * on); exporter 'debug' replaces Opik to show what the pipeline costs without it.
 */
function collectorConfig(sinkPort, queue = 'none', exporter = 'opik') {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const path = join(dir, 'collector.yaml');
  const queueYaml =
    queue === 'none'
      ? ''
      : `    sending_queue:
      enabled: true
      sizer: items
      queue_size: 10000000
      num_consumers: 4
      batch: { min_size: 1000, max_size: 1000, flush_timeout: 200ms }
${queue === 'disk' ? '      storage: file_storage\n' : ''}`;
  writeFileSync(
    path,
    `${queue === 'disk' ? `extensions:\n  file_storage:\n    directory: ${dir}/data\n    fsync: true\n` : ''}receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:0
processors:
  batch:
    send_batch_size: 1000
    timeout: 200ms
exporters:
  opik:
    endpoint: http://127.0.0.1:${sinkPort}/api
    detect_id_overrides: false
${queueYaml}  debug:
    verbosity: basic
service:
${queue === 'disk' ? '  extensions: [file_storage]\n' : ''}
  telemetry:
    logs:
      level: warn
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [${exporter}]
`,
  );
  return path;
}

async function startCollector(sinkPort, queue, exporter) {
  // warn level hides the "listening" line, so raise it for that one line via --set.
  const { child, match } = await start(
    [
      cli,
      '--config',
      collectorConfig(sinkPort, queue, exporter),
      '--set',
      'service::telemetry::logs::level=info',
    ],
    listening,
  );
  return { child, url: `http://${match}/v1/traces` };
}

const load = (url, mode, n, seconds = SECONDS) =>
  runJson([join(root, 'bench/load.mjs'), url, mode, String(n), String(seconds)]);

const sink = await start([join(root, 'bench/sink-server.mjs')], port);
const results = {};

// 1. Throughput: the bare decoding server against the whole pipeline, same load generator.
const bare = await start([join(root, 'bench/bare-server.mjs')], port);
results.bare = await load(`http://127.0.0.1:${bare.match}/v1/traces`, 'closed', CONCURRENCY);
await stop(bare.child);
const pipeline = await startCollector(sink.match);
results.pipeline = await load(pipeline.url, 'closed', CONCURRENCY);
await stop(pipeline.child);
const noOpik = await startCollector(sink.match, 'none', 'debug');
results.noOpik = await load(noOpik.url, 'closed', CONCURRENCY);
await stop(noOpik.child);

// 2. Acknowledgements with a queue: in memory, and durable (SQLite, fsync on, group commit).
for (const queue of ['memory', 'disk']) {
  const c = await startCollector(sink.match, queue);
  results[queue] = await load(c.url, 'closed', CONCURRENCY);
  await stop(c.child);
}

// 3. The Collector testbed's load: 10k spans/s in 100-span requests, CPU (% of one core) and RSS.
const steady = await startCollector(sink.match);
await new Promise((r) => setTimeout(r, 1000));
results.steady = await sample(steady.child.pid, () => load(steady.url, 'open', 100, 15));
await stop(steady.child);
await stop(sink.child);

// 4. Dify envelopes (the receiver's own benchmark, in its own process).
results.dify = execFileSync(
  process.execPath,
  [join(root, 'node_modules/vite-node/vite-node.mjs'), 'bench/dify.bench.ts'],
  {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, BENCH_SECONDS: '3', BENCH_ROUNDS: '3' },
  },
).trim();

// 5. Where the CPU goes per span, stage by stage, in one process without HTTP.
results.stages = await runJson([join(root, 'bench/stages.mjs')]);

const ratio = results.pipeline.spansPerSecond / results.bare.spansPerSecond;
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const s = results.steady;
const doc = `# Benchmarks

Measured by \`npm run bench\` (\`bench/run.mjs\`) on ${new Date().toISOString().slice(0, 10)}: Node ${process.version},
${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}. Every figure below comes from one run of that
command, so the ratios compare numbers taken minutes apart on the same machine. The load generator
(\`bench/load.mjs\`) is a separate process on the same 2 cores, so absolute figures are lower than on
a dedicated machine; the ratios are what the budgets in DESIGN §7 are about.

## OTLP/HTTP protobuf in → batch → opik exporter out

The request is 100 small spans (the Collector testbed's shape plus three GenAI attributes), sent by
${CONCURRENCY} concurrent connections for ${SECONDS} s. The \`opik\` exporter sends OTLP protobuf (gzip) and
trace rows to a local sink (\`bench/sink-server.mjs\`) that answers at once.

| server | spans/s | requests/s | p50 | p99 |
| --- | --- | --- | --- | --- |
| bare Node server that only decodes (\`bench/bare-server.mjs\`) | ${fmt(results.bare.spansPerSecond)} | ${fmt(results.bare.requestsPerSecond)} | ${results.bare.p50ms.toFixed(1)} ms | ${results.bare.p99ms.toFixed(1)} ms |
| the collector (otlp → batch → opik) | ${fmt(results.pipeline.spansPerSecond)} | ${fmt(results.pipeline.requestsPerSecond)} | ${results.pipeline.p50ms.toFixed(1)} ms | ${results.pipeline.p99ms.toFixed(1)} ms |
| for comparison: otlp → batch → debug (no Opik mapping) | ${fmt(results.noOpik.spansPerSecond)} | ${fmt(results.noOpik.requestsPerSecond)} | ${results.noOpik.p50ms.toFixed(1)} ms | ${results.noOpik.p99ms.toFixed(1)} ms |

**Ratio: ${ratio.toFixed(2)}** of the bare server (budget: at least 0.5). Without the Opik mapping
(debug exporter) the same pipeline reaches ${(results.noOpik.spansPerSecond / results.bare.spansPerSecond).toFixed(2)} of it: see "Where the time goes".

## Durable acknowledgements

The same load against the collector with a \`sending_queue\`: acknowledged once the batch is in a
memory queue, or once it is committed to SQLite with \`fsync: true\` (group commit: concurrent
requests share one commit). Delivery to the sink runs at the same time.

| queue | spans/s acknowledged | p50 | p99 |
| --- | --- | --- | --- |
| memory | ${fmt(results.memory.spansPerSecond)} | ${results.memory.p50ms.toFixed(1)} ms | ${results.memory.p99ms.toFixed(1)} ms |
| persistent, fsync on | ${fmt(results.disk.spansPerSecond)} | ${results.disk.p50ms.toFixed(1)} ms | ${results.disk.p99ms.toFixed(1)} ms |

**Ratio: ${(results.disk.spansPerSecond / results.memory.spansPerSecond).toFixed(2)}** of in-memory throughput (budget: at least 0.5).

## 10k spans/s (the Collector testbed's load)

100 requests/s of 100 spans for 15 s, open loop; CPU as % of one core and RSS sampled each second
from \`/proc\`, as the testbed does.

| figure | measured | budget | Go Collector (published) |
| --- | --- | --- | --- |
| CPU, average / max | ${s.cpuAvgPct.toFixed(1)}% / ${s.cpuMaxPct.toFixed(1)}% | ≤ 10% | 5.4% / 7.3% (2023), 12.8% / 16.3% (2026) |
| RSS, average / max | ${s.rssAvgMiB.toFixed(0)} / ${s.rssMaxMiB.toFixed(0)} MiB | ≤ 80 MiB | 51 / 71 MiB (2023), 71 / 100 MiB (2026) |
| delivered | ${fmt(s.result.requests)} requests, ${s.result.failed} failed | all | |

## Where the time goes

\`bench/stages.mjs\`: the same 1000-span batch through each stage in one process, without HTTP,
in microseconds of CPU per span. At 10k spans/s each microsecond per span is 1% of a core, so the
10% budget leaves 10 µs per span for everything, HTTP included.

| stage | µs per span |
| --- | --- |
| decode the OTLP request into the internal model | ${results.stages.decode} |
| opik exporter: Opik ids and objects (\`assignIds\`, \`preparePayload\`) | ${results.stages.map} |
| encode the OTLP body sent to Opik | ${results.stages.encode} |
| gzip it (level ${results.stages.gzipLevel}, the default) | ${results.stages.gzip} |

## Dify envelopes

\`bench/dify.bench.ts\`: the \`workflow_app\` fixture with 5 node executions (6 spans per trace), fresh ids
per trace. Budget: at least 5,000 workflow traces per second on one core.

\`\`\`
${results.dify}
\`\`\`
`;
writeFileSync(join(root, 'docs/benchmarks.md'), doc);
process.stdout.write(doc);
