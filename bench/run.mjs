// `npm run bench`: measures DESIGN §7's budgets in one run on this machine and writes the figures
// to bench/figures.json and, beside the figures of the run before (bench/figures.previous.json),
// to docs/benchmarks.md (bench/render.mjs). Every server runs in its own process; the load
// generator too. Needs a build (`npm run build`, which `npm install` runs).
//
// Settings (environment): BENCH_SECONDS per closed-loop measurement (10), BENCH_CONCURRENCY
// connections of the closed loop (16), BENCH_ROUNDS alternating rounds of each ratio (3),
// BENCH_STEADY_ROUNDS runs of the 10k spans/s test (3), BENCH_PREVIOUS the figures to show as the
// previous run (default: bench/figures.json as it was before this run), BENCH_CODE what to call the
// code measured (default: the git commit).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  collectorReady,
  json,
  loadedPackages,
  rssMiB,
  runJson,
  sample,
  settle,
  shippedEnv,
  sleep,
  start,
  stop,
} from './proc.mjs';
import { writeBenchmarks } from './render.mjs';
import { SHAPES } from './request.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const STEADY_ROUNDS = Number(process.env.BENCH_STEADY_ROUNDS ?? 3);
const IDLE_SECONDS = 5;
const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist/cli/collector.js');
if (!existsSync(cli)) throw new Error('run `npm run build` first');
/** The Node settings the Docker image runs the collector with: every collector here runs with them. */
const IMAGE_NODE_OPTIONS =
  /NODE_OPTIONS=(\S+)/.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'))?.[1] ?? '';
const figuresFile = join(root, 'bench/figures.json');
const previousFile = join(root, 'bench/figures.previous.json');
const startedAt = performance.now();

const port = (line) => json(line)?.port;
/**
 * The benchmark pipeline, otlp (HTTP) → batch → exporter. queue: 'none' (the exporter answers
 * after delivery), 'memory', or 'disk' (file_storage, fsync on); exporter 'debug' replaces Opik
 * to show what the pipeline costs without it.
 */
function benchConfig(sinkPort, queue = 'none', exporter = 'opik') {
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

// warn level hides the "listening" lines, so raise it for the start via --set.
const collectorArgs = (config) => [
  cli,
  '--config',
  config,
  '--set',
  'service::telemetry::logs::level=info',
];

async function startCollector(config, env = {}) {
  const { child, match } = await start(collectorArgs(config), collectorReady(), {
    NODE_OPTIONS: IMAGE_NODE_OPTIONS,
    ...env,
  });
  return { child, url: `http://${match}/v1/traces` };
}

const load = (url, mode, n, seconds, shape) =>
  runJson([join(root, 'bench/load.mjs'), url, mode, String(n), String(seconds), shape]);

/**
 * Closed-loop rounds against several servers, alternated (a, b, a, b, …) so that the machine's
 * other load falls on all of them alike. Each server first gets a 2 s warm-up; after each round
 * the server is left to finish its leftover work.
 */
async function alternate(servers, shape) {
  for (const s of Object.values(servers)) await load(s.url, 'closed', CONCURRENCY, 2, shape);
  const rounds = Object.fromEntries(Object.keys(servers).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, s] of Object.entries(servers)) {
      // Every server idle first: a collector with a queue still delivers what it acknowledged in
      // its own round, and would take the CPU from the next one.
      for (const other of Object.values(servers)) await settle(other.child.pid);
      rounds[name].push(await load(s.url, 'closed', CONCURRENCY, SECONDS, shape));
    }
  }
  return rounds;
}

const ratios = (num, den) => num.map((x, i) => x.spansPerSecond / den[i].spansPerSecond);

const sink = await start([join(root, 'bench/sink-server.mjs')], port);
const loadBefore = loadavg();
const figures = {
  date: new Date().toISOString(),
  commit: gitCommit(),
  node: process.version,
  cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}`,
  settings: {
    seconds: SECONDS,
    concurrency: CONCURRENCY,
    rounds: ROUNDS,
    steadyRounds: STEADY_ROUNDS,
  },
  nodeOptions: IMAGE_NODE_OPTIONS,
  throughput: {},
};

// 0. Idle: collectors started first and sent nothing, for the shipped configuration and the
// benchmark's pipeline, two of each. RSS 5 s after start, and again at the end of the run, when
// V8's memory reducer has long given back what starting up left over.
console.error('idle collectors');
const idleConfigs = [
  ['shipped', join(root, 'collector.yaml'), () => shippedEnv(`http://127.0.0.1:${sink.match}/api`)],
  ['bench', benchConfig(sink.match), () => ({})],
];
const idle = [];
for (const [name, config, env] of idleConfigs) {
  for (let r = 0; r < 2; r++) idle.push({ name, ...(await startCollector(config, env())) });
}
await sleep(IDLE_SECONDS * 1000);
for (const c of idle) c.started = rssMiB(c.child.pid);

/** The opik exporter's default gzip level, which the floor uses too. */
const gzipLevel = (await import('../dist/exporters/opik/config.js')).createDefaultOpikConfig()
  .compression_params.level;
/** The floor (bench/floor-server.mjs), with the image's Node settings as the collectors. */
async function startFloor() {
  const { child, match } = await start(
    [join(root, 'bench/floor-server.mjs'), String(sink.match), String(gzipLevel)],
    port,
    {
      NODE_OPTIONS: IMAGE_NODE_OPTIONS,
    },
  );
  return { child, url: `http://127.0.0.1:${match}/v1/traces` };
}

// 1. Throughput, per request shape: the bare decoding server against the whole pipeline (and the
// pipeline with the debug exporter instead of Opik's, and the floor of any forwarding server),
// same load generator, rounds alternated.
for (const shape of SHAPES) {
  console.error(`throughput, ${shape} requests`);
  const bare = await start([join(root, 'bench/bare-server.mjs')], port);
  const servers = {
    bare: { child: bare.child, url: `http://127.0.0.1:${bare.match}/v1/traces` },
    pipeline: await startCollector(benchConfig(sink.match)),
    debug: await startCollector(benchConfig(sink.match, 'none', 'debug')),
    floor: await startFloor(),
  };
  const rounds = await alternate(servers, shape);
  for (const s of Object.values(servers)) await stop(s.child);
  figures.throughput[shape] = {
    requestBytes: rounds.bare[0].requestBytes,
    rounds,
    ratio: ratios(rounds.pipeline, rounds.bare),
    debugRatio: ratios(rounds.debug, rounds.bare),
    floorRatio: ratios(rounds.floor, rounds.bare),
  };
}

// 2. Acknowledgements with a queue: in memory, and durable (SQLite, fsync on, group commit).
console.error('queue acknowledgements');
{
  const servers = {
    memory: await startCollector(benchConfig(sink.match, 'memory')),
    disk: await startCollector(benchConfig(sink.match, 'disk')),
  };
  const rounds = await alternate(servers, 'testbed');
  for (const s of Object.values(servers)) await stop(s.child);
  figures.queue = { rounds, ratio: ratios(rounds.disk, rounds.memory) };
}

// 3. The Collector testbed's load: 10k spans/s in 100-span requests, open loop for 30 s, CPU (% of
// one core) and RSS sampled from /proc, the first 15 s (V8 compiling) apart from the next; a fresh
// collector each round, alternately with the image's Node settings and with Node's defaults (what
// the settings are worth), and the floor.
figures.steady = [];
figures.steadyNodeDefaults = [];
figures.steadyFloor = [];
for (let r = 0; r < STEADY_ROUNDS; r++) {
  for (const [list, what, startOne] of [
    [figures.steady, '', () => startCollector(benchConfig(sink.match))],
    [
      figures.steadyNodeDefaults,
      ', Node defaults',
      () => startCollector(benchConfig(sink.match), { NODE_OPTIONS: '' }),
    ],
    [figures.steadyFloor, ', the floor', startFloor],
  ]) {
    console.error(`10k spans/s, round ${r + 1}${what}`);
    const c = await startOne();
    await sleep(1000);
    list.push(await sample(c.child.pid, () => load(c.url, 'open', 100, 30, 'testbed'), 15));
    await stop(c.child);
  }
}

// 4. Idle, continued: the same collectors minutes later; and the packages each configuration
// loads (in a separate start, since counting them costs memory of its own).
for (const c of idle) c.settled = rssMiB(c.child.pid);
const idleMinutes = Number(((performance.now() - startedAt) / 60_000).toFixed(1));
figures.idle = {};
for (const [name, config, env] of idleConfigs) {
  const mine = idle.filter((c) => c.name === name);
  const { modules, packages } = await loadedPackages(collectorArgs(config), collectorReady(), {
    NODE_OPTIONS: IMAGE_NODE_OPTIONS,
    ...env(),
  });
  figures.idle[name] = {
    startedMiB: mine.map((c) => c.started),
    settledMiB: mine.map((c) => c.settled),
    settledAfterMinutes: idleMinutes,
    modules,
    packages,
  };
}
for (const c of idle) await stop(c.child);
await stop(sink.child);

// 5. Dify envelopes (the receiver's own benchmark, in its own process, with the image's Node settings).
console.error('dify envelopes');
const difyOut = execFileSync(process.execPath, [join(root, 'bench/dify.mjs')], {
  cwd: root,
  encoding: 'utf8',
  // With the image's Node settings, as every collector here (the receiver runs in this process).
  env: {
    ...process.env,
    NODE_OPTIONS: IMAGE_NODE_OPTIONS,
    BENCH_SECONDS: '3',
    BENCH_ROUNDS: '3',
  },
}).trim();
const difyRate = (label) => {
  const m = difyOut.match(new RegExp(`^${label}\\s+median ([\\d,]+), best ([\\d,]+)`, 'm'));
  const n = (s) => Number(s.replaceAll(',', ''));
  return m ? { median: n(m[1]), best: n(m[2]) } : undefined;
};
figures.dify = {
  text: difyOut,
  convert: difyRate('convert'),
  decode: difyRate('decode'),
  http: difyRate('http'),
};

// 6. Where the CPU goes per span, stage by stage, in one process without HTTP.
console.error('stages');
figures.stages = {};
for (const shape of SHAPES) {
  figures.stages[shape] = await runJson([join(root, 'bench/stages.mjs'), shape]);
}

// 7. What the id memory holds per OTel trace at its default bound.
console.error('id memory');
figures.idMemory = JSON.parse(
  execFileSync(process.execPath, ['--expose-gc', join(root, 'bench/id-memory.mjs')], {
    cwd: root,
    encoding: 'utf8',
  }),
);

figures.loadAverage = { before: loadBefore, after: loadavg() };
figures.minutes = Number(((performance.now() - startedAt) / 60_000).toFixed(1));

// The run before this one becomes "previous": bench/figures.json as it was, or BENCH_PREVIOUS.
const previousSource = process.env.BENCH_PREVIOUS ?? figuresFile;
const previous = existsSync(previousSource)
  ? JSON.parse(readFileSync(previousSource, 'utf8'))
  : undefined;
if (previous) writeFileSync(previousFile, `${JSON.stringify(previous, null, 1)}\n`);
else rmSync(previousFile, { force: true });
writeFileSync(figuresFile, `${JSON.stringify(figures, null, 1)}\n`);
const doc = writeBenchmarks(join(root, 'docs/benchmarks.md'), figures, previous);
process.stdout.write(doc);

/** The code measured: BENCH_CODE, else the commit (and whether files that matter were changed). */
function gitCommit() {
  if (process.env.BENCH_CODE) return process.env.BENCH_CODE;
  const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  try {
    const head = git('rev-parse', '--short', 'HEAD');
    const changed = git(
      'status',
      '--porcelain',
      '--',
      'src',
      'bench',
      'Dockerfile',
      'collector.yaml',
      ':!bench/figures*.json',
    );
    return `${head}${changed ? ' (with uncommitted changes)' : ''}`;
  } catch {
    return 'unknown';
  }
}
