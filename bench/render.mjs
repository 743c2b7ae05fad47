// Renders docs/benchmarks.md from the figures of one run of bench/run.mjs and, when there is one,
// of the run before it, side by side with DESIGN §7's budgets. `node bench/render.mjs` renders the
// document again from bench/figures.json and bench/figures.previous.json without measuring. The
// sections of other benchmarks (after HAND_WRITTEN in the page) are written by hand and kept.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? Number.NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const int = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');
const fixed = (n, d) => (Number.isFinite(n) ? n.toFixed(d) : '—');
/** Median of a list and its range when there are several values: `12 MiB (11–13)`. */
const spread = (xs, format, unit = '') => {
  if (!xs || xs.length === 0) return '—';
  const m = `${format(median(xs))}${unit}`;
  return xs.length === 1 ? m : `${m} (${format(Math.min(...xs))}–${format(Math.max(...xs))})`;
};
const spansPerSecond = (rounds) => rounds?.map((r) => r.spansPerSecond);
/** A 10k spans/s round's highest RSS sample, of both its halves. */
const highestRss = (round) => Math.max(round.rssMaxMiB, round.warmup?.rssMaxMiB ?? 0);

// Figures rounded towards failing their budget, so a shown value never contradicts its verdict
// (0.4996 is shown 0.49 against "≥ 0.5", 60.2 MiB as 61 against "≤ 60 MiB").
const down = (d) => (n) => fixed(Math.floor(n * 10 ** d) / 10 ** d, d);
const up = (d) => (n) => fixed(Math.ceil(n * 10 ** d) / 10 ** d, d);
const atLeast = (min, figure, values, d, unit = '') => ({
  figure,
  budget: `≥ ${min.toLocaleString('en-US')}${unit}`,
  values,
  format: d === 0 ? (n) => int(Math.floor(n)) : down(d),
  unit,
  met: (n) => n >= min,
});
const atMost = (max, figure, values, d, unit) => ({
  figure,
  budget: `≤ ${max}${unit}`,
  values,
  format: up(d),
  unit,
  met: (n) => n <= max,
});

/**
 * DESIGN §7's budgets (issue 14's table): how each is read from a run's figures, judged on the
 * median of its rounds.
 */
const BUDGETS = [
  atLeast(
    0.5,
    'throughput, otlp → batch → opik, vs the bare decoding server: testbed requests',
    (f) => f?.throughput?.testbed?.ratio,
    2,
  ),
  atLeast(0.5, 'the same, GenAI requests (about 80 KB)', (f) => f?.throughput?.genai?.ratio, 2),
  atMost(
    10,
    'CPU at 10k spans/s, average, % of one core (after the first 15 s)',
    (f) => f?.steady?.map((s) => s.cpuAvgPct),
    1,
    '%',
  ),
  atMost(80, 'RSS at 10k spans/s, highest sample', (f) => f?.steady?.map(highestRss), 0, ' MiB'),
  atMost(
    60,
    'RSS idle: the shipped collector.yaml',
    (f) => f?.idle?.shipped?.settledMiB,
    0,
    ' MiB',
  ),
  atMost(
    60,
    'RSS idle: the benchmark pipeline (otlp/http → batch → opik)',
    (f) => f?.idle?.bench?.settledMiB,
    0,
    ' MiB',
  ),
  atLeast(
    5000,
    'Dify envelopes over HTTP, workflow traces with 5 nodes per second, one core',
    (f) => (f?.dify?.http ? [f.dify.http.median] : undefined),
    0,
  ),
  atLeast(
    0.5,
    'persistent queue (fsync on) vs memory queue acknowledgements',
    (f) => f?.queue?.ratio,
    2,
  ),
];

function budgetCell(b, f) {
  const xs = b.values(f);
  if (!xs || xs.length === 0) return { text: '—' };
  const met = b.met(median(xs));
  return { text: `${spread(xs, b.format, b.unit)} ${met ? '✓' : '✗'}`, met };
}

const runLine = (f) =>
  f ? `${f.commit}, ${f.date.slice(0, 16).replace('T', ' ')} UTC` : 'none recorded';

function throughputTable(t, settings) {
  if (!t) return '(not measured)\n';
  const row = (label, rounds) => {
    const p = (k) => spread(rounds?.map((r) => r[k]) ?? [], (n) => fixed(n, 1), ' ms');
    return `| ${label} | ${spread(spansPerSecond(rounds), int)} | ${p('p50ms')} | ${p('p99ms')} |`;
  };
  return `| server | spans/s | p50 | p99 |
| --- | --- | --- | --- |
${row('bare Node server that only decodes (`bench/bare-server.mjs`)', t.rounds.bare)}
${row('the collector: otlp → batch → opik', t.rounds.pipeline)}
${row('for comparison: otlp → batch → debug (no Opik mapping)', t.rounds.debug)}
${
  t.rounds.floor
    ? `${row('the floor: scan, gzip and forward, answer after delivery (`bench/floor-server.mjs`)', t.rounds.floor)}
`
    : ''
}
Ratio to the bare server, per round: opik ${t.ratio.map((r) => fixed(r, 2)).join(', ')}; debug ${t.debugRatio.map((r) => fixed(r, 2)).join(', ')}${t.floorRatio ? `; floor ${t.floorRatio.map((r) => fixed(r, 2)).join(', ')}` : ''}. Requests of ${int(t.requestBytes)} bytes, ${settings.concurrency} connections, ${settings.rounds} rounds of ${settings.seconds} s.
`;
}

/** `of` picks a shape's figures: the decoded path's, or the wire path's (`wire`). */
function stagesTable(current, previous, of = (f, shape) => f?.stages?.[shape]) {
  const stages = [
    [
      'decode',
      of === wireStages
        ? 'scan the OTLP request (checked, not decoded)'
        : 'decode the OTLP request into the internal model',
    ],
    ['batch', 'batch processor: join ten requests into one 1000-span batch'],
    [
      'map',
      'opik exporter: Opik ids, objects and OTLP form (`assignIds`, `preparePayload`, `splitByPath`)',
    ],
    ['encode', 'encode the OTLP body sent to Opik'],
    [
      'gzip',
      `gzip it (level ${current.stages?.testbed?.gzipLevel ?? '?'}, the exporter's default)`,
    ],
  ];
  const shapes = ['testbed', 'genai'];
  const cell = (f, shape, k) => fixed(of(f, shape)?.[k], 2);
  const total = (f, shape) =>
    fixed(
      stages.reduce((n, [k]) => n + (of(f, shape)?.[k] ?? Number.NaN), 0),
      2,
    );
  const rows = stages.map(
    ([k, label]) =>
      `| ${label} | ${shapes.map((s) => `${cell(previous, s, k)} | ${cell(current, s, k)}`).join(' | ')} |`,
  );
  rows.push(
    `| total | ${shapes.map((s) => `${total(previous, s)} | ${total(current, s)}`).join(' | ')} |`,
  );
  return `| stage (µs per span) | testbed, previous | testbed, this run | GenAI, previous | GenAI, this run |
| --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
}

const wireStages = (f, shape) => f?.stages?.[shape]?.wire;

function idleTable(current, previous) {
  const names = [
    [
      'shipped',
      'the shipped `collector.yaml` (otlp gRPC and HTTP, dify and opik receivers, memory_limiter, genai, opik exporter with a persistent queue in file_storage, health_check, status, metrics)',
    ],
    ['bench', 'the benchmark pipeline (otlp HTTP → batch → opik, no metrics)'],
  ];
  const rows = names.map(([k, label]) => {
    const cell = (f, key) => spread(f?.idle?.[k]?.[key], (n) => fixed(n, 0), ' MiB');
    return `| ${label} | ${cell(previous, 'startedMiB')} | ${cell(current, 'startedMiB')} | ${cell(previous, 'settledMiB')} | ${cell(current, 'settledMiB')} | ${previous?.idle?.[k]?.modules ?? '—'} | ${current.idle?.[k]?.modules ?? '—'} |`;
  });
  const packages = names
    .map(([k]) => {
      const p = current.idle?.[k]?.packages ?? {};
      return `- ${k}: ${Object.entries(p)
        .map(([name, n]) => `${name} (${n})`)
        .join(', ')}`;
    })
    .join('\n');
  return `| configuration | 5 s after start, previous | 5 s after start, this run | settled, previous | settled, this run | modules, previous | modules, this run |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

"Settled" is read at the end of the run, ${current.idle?.bench?.settledAfterMinutes ?? '?'} minutes after the start: V8 gives back
what starting up left over only after some seconds of idle (its memory reducer), so the value
5 s after start is mostly garbage of the start and varies with the V8 settings. A bare \`node\`
process that does nothing has an RSS of about 42 MiB on this machine.

Packages loaded at idle in this run, with their number of modules, counted by
\`bench/module-log.mjs\`. \`dist\` is the collector's own code: since the collector runs as one
bundle (\`scripts/bundle.mjs\`), its files and chunks, with the packages bundled into them; what
is listed beside it is loaded from \`node_modules\`.

${packages}
`;
}

function idMemoryTable(current, previous) {
  const row = (label, k) => {
    const cell = (f) => f?.idMemory?.bytesPerEntry?.[k] ?? '—';
    return `| ${label} | ${cell(previous)} | ${cell(current)} |`;
  };
  const max = current.idMemory?.maxEntries ?? 100_000;
  // 10k spans/s of traces of 10 spans: a thousand new traces a second.
  return `What the opik exporter's id memory holds per OTel trace when it is full (\`bench/id-memory.mjs\`:
${int(max)} traces, its default \`trace_id_memory.max_entries\`, reached after ${int(max / 1000)} s at 10k spans/s of
traces of 10 spans), in bytes of V8 heap and array buffers per trace:

| id memory | previous | this run |
| --- | --- | --- |
${row('in process memory (no storage)', 'memory')}
${row('with `file_storage` (its live entries in memory; the file not counted)', 'fileStorage')}
`;
}

function steadyTable(current) {
  const rows = [
    ...(current.steady ?? []).map((x) => [
      `the collector, the image's (\`${current.nodeOptions || 'none'}\`)`,
      x,
    ]),
    ...(current.steadyNodeDefaults ?? []).map((x) => ['the collector, Node defaults', x]),
    ...(current.steadyFloor ?? []).map((x) => [
      `the floor (\`bench/floor-server.mjs\`), the image's`,
      x,
    ]),
  ];
  if (rows.length === 0) return '(not measured)\n';
  const cells = (s) =>
    `${fixed(s.cpuAvgPct, 1)}% / ${fixed(s.cpuMaxPct, 1)}% | ${fixed(s.rssAvgMiB, 0)} / ${fixed(s.rssMaxMiB, 0)} MiB`;
  const lines = rows.map(
    ([settings, s]) =>
      `| ${settings} | ${s.warmup ? cells(s.warmup) : '— | —'} | ${cells(s)} | ${int(s.result.sent ?? s.result.requests)} sent, ${int(s.result.requests)} accepted, ${s.result.failed} failed | ${fixed(s.result.p50ms, 1)} / ${fixed(s.result.p99ms, 1)} ms |`,
  );
  return `| server, Node settings | first 15 s: CPU, average / max | RSS, average / max | then 15 s: CPU, average / max | RSS, average / max | requests | latency p50 / p99 |
| --- | --- | --- | --- | --- | --- | --- |
${lines.join('\n')}

The Go Collector, published: CPU 5.4% / 7.3% and RSS 51 / 71 MiB (2023), 12.8% / 16.3% and 71 / 100 MiB
(2026) on the same test.
`;
}

/** The image's Node settings against Node's defaults in the 10k spans/s rounds of one run. */
function v8Comparison(f) {
  const a = f.steady ?? [];
  const b = f.steadyNodeDefaults ?? [];
  if (a.length === 0 || b.length === 0) return 'not measured';
  const m = (xs, k) => median(xs.map((x) => x[k]));
  const both = (k, d, unit) =>
    `${fixed(m(a, k), d)}${unit} with it, ${fixed(m(b, k), d)}${unit} without`;
  return `highest RSS sample ${both('rssMaxMiB', 0, ' MiB')}; average RSS ${both('rssAvgMiB', 0, ' MiB')}; CPU ${both('cpuAvgPct', 1, '%')} (medians of ${a.length} and ${b.length} rounds)`;
}

/** What the floor (bench/floor-server.mjs) reached in this run, set beside the budgets it shares. */
function floorLine(f) {
  const ratio = (shape) => spread(f.throughput?.[shape]?.floorRatio ?? [], (n) => fixed(n, 2));
  const steady = f.steadyFloor ?? [];
  if (!f.throughput?.testbed?.floorRatio && steady.length === 0) return '';
  const m = (k) => median(steady.map((x) => x[k]));
  const rss = median(steady.map(highestRss));
  return `
The floor, a server that only scans, gzips and forwards (see "Throughput against a bare decoding
server"), in the same run: throughput ratio ${ratio('testbed')} on testbed requests and
${ratio('genai')} on GenAI requests; at 10k spans/s CPU ${fixed(m('cpuAvgPct'), 1)}% after the first
15 s and highest RSS sample ${fixed(rss, 0)} MiB.
`;
}

export function renderBenchmarks(current, previous) {
  const s = current.settings;
  const budgets = BUDGETS.map((b) => ({
    b,
    now: budgetCell(b, current),
    before: budgetCell(b, previous),
  }));
  const met = budgets.filter((x) => x.now.met).map((x) => x.b.figure);
  const notMet = budgets.filter((x) => x.now.met === false).map((x) => x.b.figure);
  const load = (f) =>
    f?.loadAverage
      ? `${fixed(f.loadAverage.before[0], 1)} → ${fixed(f.loadAverage.after[0], 1)}`
      : '—';
  return `# Benchmarks

Written by \`npm run bench\` (\`bench/run.mjs\`, after \`npm run build\`); the figures of this run are in
\`bench/figures.json\`, those of the run before it in \`bench/figures.previous.json\`, and
\`node bench/render.mjs\` writes this page again from the two. The command, with its defaults spelled out:

\`\`\`
BENCH_SECONDS=${s.seconds} BENCH_CONCURRENCY=${s.concurrency} BENCH_ROUNDS=${s.rounds} BENCH_STEADY_ROUNDS=${s.steadyRounds} npm run bench
\`\`\`

To show a change, run it once before and once after: the second run renders the first as
"previous" (or set \`BENCH_PREVIOUS\` to a saved \`figures.json\`).

| | previous run | this run |
| --- | --- | --- |
| code | ${runLine(previous)} | ${runLine(current)} |
| machine | ${previous ? `Node ${previous.node}, ${previous.cpu}` : '—'} | Node ${current.node}, ${current.cpu} |
| load average (1 min) at start → end | ${load(previous)} | ${load(current)} |
| duration | ${previous?.minutes ?? '—'} min | ${current.minutes} min |

The machine is shared: other processes run during the benchmark (see the load average), and the
load generator runs on the same cores as the server it loads. Absolute figures are therefore low
and noisy; the budgets that are ratios compare servers measured in alternating rounds seconds
apart, under the same conditions. Figures are the median of the rounds, with their range in
brackets.

## Budgets (DESIGN §7)

| figure | budget | previous run | this run |
| --- | --- | --- | --- |
${budgets.map(({ b, now, before }) => `| ${b.figure} | ${b.budget} | ${before.text} | ${now.text} |`).join('\n')}

Met in this run (✓): ${met.length === 0 ? 'none' : met.join('; ')}.
Not met (✗): ${notMet.length === 0 ? 'none' : notMet.join('; ')}.
${floorLine(current)}
## Throughput against a bare decoding server

Both servers get the same requests from \`bench/load.mjs\`, a closed loop of
${s.concurrency} connections (each sends its next request when the last one is answered), every
request with fresh trace and span ids. Each request is 100 spans in 10 traces of 10. The opik
exporter sends OTLP protobuf (gzip) and trace rows to a local sink (\`bench/sink-server.mjs\`) that
answers at once. The bare server, the collector, the collector with the debug exporter and the
floor are measured in turn, round after round.

The floor (\`bench/floor-server.mjs\`) is the least a server that forwards these requests to Opik
does, with the collector's own parts where it has them: it finds each request's spans with the
collector's scanner, gathers requests into batches of 1000 spans, gzips each batch at the
exporter's default level, POSTs it to the sink, and answers the requests once the sink has
answered, as the collector does. It makes no Opik ids, adds no \`opik.*\` attributes, sends no
trace rows and keeps nothing for retries. What the collector does beyond it is the Opik mapping;
its ratio is the most the collector could reach on this machine if the mapping cost nothing.

### The Collector testbed's requests

Spans as the testbed's load generator makes them: \`load-generator-span\`, kind CLIENT, two int
attributes.

${throughputTable(current.throughput?.testbed, s)}
### GenAI requests

An LLM application's traces in the canonical vocabulary (docs/semantic-conventions.md): an agent's
root span, three \`chat\` spans with a prompt and a completion of a few hundred bytes each (a third
of the spans), three embeddings calls and three database queries per trace.

${throughputTable(current.throughput?.genai, s)}
## Durable acknowledgements

The same load (testbed requests) against the collector with a \`sending_queue\`: acknowledged once
the batch is in a memory queue, or once it is committed to SQLite with \`fsync: true\` (group commit:
concurrent requests share one commit; the Opik ids given to the batch are written to the same file
just before, and reach the disk with that commit). Delivery to the sink runs at the same time.

| queue | spans/s acknowledged | p50 | p99 |
| --- | --- | --- | --- |
${['memory', 'disk']
  .map((k) => {
    const rounds = current.queue?.rounds?.[k];
    const p = (key) => spread(rounds?.map((r) => r[key]) ?? [], (n) => fixed(n, 1), ' ms');
    return `| ${k === 'memory' ? 'memory' : 'persistent, fsync on'} | ${spread(spansPerSecond(rounds), int)} | ${p('p50ms')} | ${p('p99ms')} |`;
  })
  .join('\n')}

Ratio per round: ${current.queue?.ratio?.map((r) => fixed(r, 2)).join(', ') ?? '—'}.

## 10k spans/s (the Collector testbed's load)

100 requests/s of 100 spans (testbed requests) for 30 s, open loop: a request leaves every 10 ms
whatever the answers do, and its latency counts from when it was due. CPU as % of one core and RSS
sampled each second from \`/proc\`, as the testbed does; a fresh collector (the benchmark pipeline)
each round, alternately with the Docker image's Node settings (the budget is read from those) and
with Node's defaults, then the floor (see above) with the image's settings. The first 15 s and
the next 15 s are shown apart: in the first, V8 is still compiling the code the load makes hot,
on its worker threads (about 5% of a core at this rate, gone once it is done), which a sidecar
pays once. The CPU budget is read from the next 15 s; the RSS
budget from the highest sample of both.

${steadyTable(current)}
## V8 settings

The Docker image sets \`NODE_OPTIONS=${current.nodeOptions || '(none)'}\` (Dockerfile), and every collector
in this run runs with it except the "Node defaults" rounds above. \`--max-semi-space-size=4\` caps
V8's young generation at 2 × 4 MiB; on a machine with plenty of memory V8 lets it grow to
2 × 16 MiB. In this run, at 10k spans/s: ${v8Comparison(current)}.

It was chosen by separate comparisons on 2026-12-06 (the same 10k spans/s load, alternated runs;
means): against Node's defaults, 4 MiB took the highest RSS sample from 220 to 191 MiB and the
average from 186 to 166 MiB for CPU 31.7% → 32.9% (6 runs each, load average 7); in an earlier
set (3–4 runs each) from 212 to 173 MiB for CPU 34.7% → 35.1%, where 2 MiB gave 168 MiB for 37.0%
and 1 MiB 188 MiB for 38.5%. A slower-growing old generation (\`--heap-growing-percent=50\`, with
2 MiB) took RSS to about 140 MiB for 10–15 points of CPU more: not worth it while CPU is over its
budget. With a container memory limit V8 sizes its heap from the limit and may pick a smaller young
generation by itself: the setting is a ceiling. Measured on Node 20; the image runs Node 24.

## Memory at idle

Two collectors of each configuration, started before the other measurements and sent nothing.

${idleTable(current, previous)}
${idMemoryTable(current, previous)}
## Where the time goes

\`bench/stages.mjs\`: ten 100-span requests through each stage in one process, without HTTP, in
microseconds of CPU per span (the best of three runs of 100 batches: other processes only ever
add time). At 10k spans/s each microsecond per span is 1% of a core, so the 10% budget leaves
10 µs per span for everything, HTTP included.

${stagesTable(current, previous)}
The path \`otlp → batch → opik\` takes when nothing between reads spans: the requests scanned and
kept as their bytes, joined as bytes, the Opik ids and each span's OTLP message written from the
bytes (src/exporters/opik/README.md, "Fast path").

${stagesTable(current, previous, wireStages)}
## Dify envelopes

\`bench/dify.mjs\`: the \`workflow_app\` fixture with 5 node executions (6 spans per trace),
fresh ids per trace, run with the Docker image's Node settings, on the build (\`dist\`) as the
collector runs it. Budget: at least 5,000 workflow traces per second on one core (the \`http\`
line). Runs before 2026-12-07 03:15 UTC ran the same code from \`src\` through vite-node, where the
\`http\` figure measured about 15% lower (docs/benchmarks.md, "The Dify mapping's allocations").

\`\`\`
${current.dify?.text ?? '(not measured)'}
\`\`\`
`;
}

/** The line after which docs/benchmarks.md holds other benchmarks' sections, written by hand. */
export const HAND_WRITTEN =
  '<!-- Other benchmarks, written by hand: `npm run bench` keeps everything below this line. -->';

/** Writes the page: the rendered figures, then the hand-written part the page already has. */
export function writeBenchmarks(file, current, previous) {
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const at = old.indexOf(HAND_WRITTEN);
  const kept = at === -1 ? '' : `\n${old.slice(at)}`;
  const doc = `${renderBenchmarks(current, previous)}${kept}`;
  writeFileSync(file, doc);
  return doc;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const read = (name) => {
    const file = join(root, 'bench', name);
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  };
  const current = read('figures.json');
  if (!current) throw new Error('no bench/figures.json: run `npm run bench` first');
  writeBenchmarks(join(root, 'docs/benchmarks.md'), current, read('figures.previous.json'));
}
