// Helpers to run benchmark processes and read a process's CPU time and RSS from /proc, the way
// the Collector's testbed samples them (CPU as % of one core, RSS in MiB).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const TICKS = 100; // USER_HZ on Linux

export function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

export function rssMiB(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) / 1024;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A line of output as JSON, or undefined. */
export const json = (line) => {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
};

/** For `start`: ready once the collector logged "collector started"; the match is its OTLP/HTTP endpoint. */
export function collectorReady() {
  let endpoint = '';
  return (line) => {
    const l = json(line);
    if (l?.msg === 'OTLP/HTTP receiver listening') endpoint = l.endpoint;
    return l?.msg === 'collector started' ? endpoint : undefined;
  };
}

/**
 * The environment that runs the shipped collector.yaml beside others: every listener on a free
 * port, its data in a new temporary directory, Opik at `opikUrl`.
 */
export function shippedEnv(opikUrl) {
  const env = {
    DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-shipped-')),
    OPIK_URL_OVERRIDE: opikUrl,
  };
  for (const key of [
    'HEALTH_CHECK_ENDPOINT',
    'OTLP_GRPC_ENDPOINT',
    'OTLP_HTTP_ENDPOINT',
    'DIFY_RECEIVER_ENDPOINT',
    'OPIK_RECEIVER_ENDPOINT',
    'STATUS_ENDPOINT',
    'METRICS_ADDRESS',
  ]) {
    env[key] = '127.0.0.1:0';
  }
  return env;
}

/**
 * Starts a node process and resolves with it and the first non-undefined value `ready` returns
 * for a stdout/stderr line. `nodeArgs` go before `args` (flags for node itself).
 */
export function start(args, ready, env = {}, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    const onLine = (line) => {
      const m = ready(line);
      if (m !== undefined) resolve({ child, match: m });
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    child.once('exit', (code) =>
      reject(new Error(`${args.join(' ')} exited with ${code} before it was ready`)),
    );
  });
}

/** Runs a node script to completion and parses the last stdout line as JSON. */
export function runJson(args) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c) => {
    out += c;
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`${args.join(' ')} exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1)));
    });
  });
}

export async function stop(child) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

/**
 * Waits until `pid` uses less than `pct`% of a core over half a second (at most `maxMs`), so
 * that work left over from one measurement (a queue draining) does not run during the next.
 */
export async function settle(pid, pct = 5, maxMs = 60_000) {
  const until = performance.now() + maxMs;
  while (performance.now() < until) {
    const cpu = cpuSeconds(pid);
    await sleep(500);
    if ((cpuSeconds(pid) - cpu) * 200 < pct) return;
  }
}

/**
 * Samples CPU% (of one core) and RSS of `pid` every second while `work` runs. The samples of the
 * first `warmupSeconds` (V8 still compiling the hot code) are summed up apart, under `warmup`.
 */
export async function sample(pid, work, warmupSeconds = 0) {
  const samples = [];
  const startedAt = performance.now();
  let lastCpu = cpuSeconds(pid);
  let lastAt = startedAt;
  const timer = setInterval(() => {
    const cpu = cpuSeconds(pid);
    const at = performance.now();
    samples.push({
      warm: at - startedAt > warmupSeconds * 1000 + 500,
      cpuPct: ((cpu - lastCpu) / ((at - lastAt) / 1000)) * 100,
      rssMiB: rssMiB(pid),
    });
    lastCpu = cpu;
    lastAt = at;
  }, 1000);
  const result = await work();
  clearInterval(timer);
  const steady = summary(samples.filter((x) => x.warm));
  return warmupSeconds > 0
    ? { result, ...steady, warmup: summary(samples.filter((x) => !x.warm)) }
    : { result, ...steady };
}

function summary(samples) {
  const avg = (k) => samples.reduce((s, x) => s + x[k], 0) / Math.max(1, samples.length);
  const max = (k) => Math.max(...samples.map((x) => x[k]));
  return {
    cpuAvgPct: avg('cpuPct'),
    cpuMaxPct: max('cpuPct'),
    rssAvgMiB: avg('rssMiB'),
    rssMaxMiB: max('rssMiB'),
  };
}

/**
 * The packages a node process has loaded once `ready` matched a line of its output, found by
 * bench/module-log.mjs: `{ modules, packages: { name: modules } }`, where our own compiled files
 * count under `dist` and Node's built-ins are left out.
 */
export async function loadedPackages(args, ready, env = {}) {
  const file = join(mkdtempSync(join(tmpdir(), 'bench-modules-')), 'modules.log');
  const preload = new URL('./module-log.mjs', import.meta.url).pathname;
  const { child } = await start(args, ready, { ...env, MODULE_LOG: file }, ['--import', preload]);
  await sleep(500);
  child.kill('SIGUSR2');
  const until = performance.now() + 5000;
  let text = '';
  while (!text.endsWith('done\n') && performance.now() < until) {
    await sleep(100);
    text = readFileSync(file, 'utf8');
  }
  await stop(child);
  const files = new Set(text.split('\n').filter((l) => l.startsWith('/')));
  const packages = {};
  for (const f of files) {
    if (f === preload || f.endsWith('/bench/module-log-hooks.mjs')) continue;
    const inModules = f.lastIndexOf('/node_modules/');
    let name = 'dist';
    if (inModules !== -1) {
      const parts = f.slice(inModules + 14).split('/');
      name = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
    } else if (!f.includes('/dist/')) continue;
    packages[name] = (packages[name] ?? 0) + 1;
  }
  const sorted = Object.fromEntries(
    Object.entries(packages).sort(([a], [b]) => a.localeCompare(b)),
  );
  return { modules: Object.values(packages).reduce((a, b) => a + b, 0), packages: sorted };
}
