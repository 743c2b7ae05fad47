import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeTracesRequest } from '../../src/otlp/proto-codec.js';
import { makeSpan, makeTraces } from '../../src/pdata/span.js';
import type { FakeOpik } from '../fake-opik/server.js';
import { configFile, type Running, runCollector } from './cli.js';

/** A collector config with a persistent queue in `dir`, exporting to `fake`, retrying quickly. */
export function durableConfig(
  fake: FakeOpik,
  dir: string,
  extra = '',
  queueItems = 100_000,
): string {
  return configFile(`extensions:
  file_storage:
    directory: ${dir}
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:0
${extra}
exporters:
  opik:
    endpoint: ${fake.url}/api
    detect_id_overrides: false
    timeout: 2s
    retry_on_failure:
      initial_interval: 20ms
      max_interval: 100ms
      max_elapsed_time: 0s
    sending_queue:
      enabled: true
      storage: file_storage
      queue_size: ${queueItems}
      sizer: items
      num_consumers: 4
      batch:
        min_size: 200
        flush_timeout: 50ms
service:
  extensions: [file_storage]
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      processors: ${extra.includes('memory_limiter') ? '[memory_limiter]' : '[]'}
      exporters: [opik]
`);
}

export const tempDir = () => mkdtempSync(join(tmpdir(), 'durable-'));

/** Starts the CLI and resolves with the process and its OTLP/HTTP traces URL. */
export async function start(config: string): Promise<{ run: Running; url: string }> {
  const run = runCollector(['--config', config, '--shutdown-timeout', '10s']);
  const line = await run.waitForLog((l) => l.msg === 'OTLP/HTTP receiver listening');
  return { run, url: `http://${line.endpoint as string}/v1/traces` };
}

/** One request of `n` spans named `<prefix>-<i>`, each its own root (one trace per request). */
export function request(prefix: string, n: number): Uint8Array {
  const traceId = Buffer.from(prefix.padEnd(16, '_').slice(0, 16)).toString('hex');
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: n }, (_, i) =>
    makeSpan({
      traceId,
      spanId: (BigInt(i + 1) + (BigInt(hash(prefix)) << 16n))
        .toString(16)
        .padStart(16, '0')
        .slice(-16),
      parentSpanId:
        i === 0
          ? ''
          : (1n + (BigInt(hash(prefix)) << 16n)).toString(16).padStart(16, '0').slice(-16),
      name: `${prefix}-${i}`,
      startTimeUnixNano: now,
      endTimeUnixNano: now + 1_000_000n,
    }),
  );
  return encodeTracesRequest(makeTraces(spans));
}

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  return h & 0xffffffff;
}

/**
 * Sends requests one after another until `stop()`; `acked` holds the span names of every request
 * answered 200 (the promise the collector made).
 */
export function load(url: string, spansPerRequest: number, label: string) {
  const acked: string[] = [];
  let stopped = false;
  let n = 0;
  const refusals: Array<{ status: number; retryAfter: string | null }> = [];
  const done = (async () => {
    while (!stopped) {
      const prefix = `${label}${n++}`;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-protobuf' },
          body: request(prefix, spansPerRequest),
        });
        await res.arrayBuffer();
        if (res.status === 200) {
          for (let i = 0; i < spansPerRequest; i++) acked.push(`${prefix}-${i}`);
        } else refusals.push({ status: res.status, retryAfter: res.headers.get('retry-after') });
      } catch {
        // the collector went away mid-request: not acknowledged
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  })();
  return {
    acked,
    refusals,
    async stop() {
      stopped = true;
      await done;
    },
  };
}

export async function eventually(cond: () => boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  if (!cond()) throw new Error('condition not met in time');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resident memory of a process, from /proc, in MiB. */
export function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? 0) / 1024;
}
