// Helpers to run benchmark processes and read a process's CPU time and RSS from /proc, the way
// the Collector's testbed samples them (CPU as % of one core, RSS in MiB).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

/** Starts a node process and resolves with it and the first stdout/stderr line matching `ready`. */
export function start(args, ready, env = {}) {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    const onLine = (line) => {
      const m = ready(line);
      if (m) resolve({ child, match: m });
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

/** Samples CPU% (of one core) and RSS of `pid` every second while `work` runs. */
export async function sample(pid, work) {
  const samples = [];
  let lastCpu = cpuSeconds(pid);
  let lastAt = performance.now();
  const timer = setInterval(() => {
    const cpu = cpuSeconds(pid);
    const at = performance.now();
    samples.push({ cpuPct: ((cpu - lastCpu) / ((at - lastAt) / 1000)) * 100, rssMiB: rssMiB(pid) });
    lastCpu = cpu;
    lastAt = at;
  }, 1000);
  const result = await work();
  clearInterval(timer);
  const avg = (k) => samples.reduce((s, x) => s + x[k], 0) / Math.max(1, samples.length);
  const max = (k) => Math.max(...samples.map((x) => x[k]));
  return {
    result,
    cpuAvgPct: avg('cpuPct'),
    cpuMaxPct: max('cpuPct'),
    rssAvgMiB: avg('rssMiB'),
    rssMaxMiB: max('rssMiB'),
  };
}
