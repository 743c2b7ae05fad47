/**
 * The README's first run, as a new user does it: `npm start` with the shipped collector.yaml
 * (pointed at a fake Opik through OPIK_URL_OVERRIDE, every port on 127.0.0.1:0), the README's
 * curl example, Dify's Phoenix spans, the status page's JSON, and SIGTERM to `npm start`.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/extensions/status/snapshot.js';
import { encodeTracesRequest } from '../../src/otlp/proto-codec.js';
import { type FakeOpik, startFakeOpik } from '../fake-opik/server.js';
import { phoenixLegacy, RUNS } from '../fixtures/genai/dify/runs.js';

const root = new URL('../../', import.meta.url).pathname;
const readme = readFileSync(join(root, 'README.md'), 'utf8');

let fake: FakeOpik;
let npm: ChildProcess;
let npmExit: Promise<number | null>;
const logs: Array<Record<string, unknown>> = [];

/** The first log line matching, within 20 s. */
async function logged(match: (l: Record<string, unknown>) => boolean) {
  for (let i = 0; i < 400; i++) {
    const hit = logs.find(match);
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no such log line; logs: ${JSON.stringify(logs)}`);
}
const msg = (text: string) => (l: Record<string, unknown>) => String(l.msg).startsWith(text);

beforeAll(async () => {
  fake = await startFakeOpik();
  const port0 = '127.0.0.1:0';
  npm = spawn('npm', ['start'], {
    cwd: root,
    env: {
      ...process.env,
      OPIK_URL_OVERRIDE: `${fake.url}/api`,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'first-run-')),
      OTLP_GRPC_ENDPOINT: port0,
      OTLP_HTTP_ENDPOINT: port0,
      DIFY_RECEIVER_ENDPOINT: port0,
      HEALTH_CHECK_ENDPOINT: port0,
      STATUS_ENDPOINT: port0,
      METRICS_ADDRESS: port0,
      OPIK_RECEIVER_ENDPOINT: port0,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  npmExit = new Promise((resolve) => npm.once('exit', (code) => resolve(code)));
  createInterface({ input: npm.stderr! }).on('line', (text) => {
    try {
      logs.push(JSON.parse(text) as Record<string, unknown>);
    } catch {
      logs.push({ msg: text });
    }
  });
  await logged(msg('collector started'));
});

afterAll(async () => {
  if (npm.exitCode === null) npm.kill('SIGKILL');
  await fake.stop();
});

const otlpHttp = async () => String((await logged(msg('OTLP/HTTP receiver listening'))).endpoint);

describe('the README’s first run', () => {
  it('opens with what Opik it talks to, how to point it elsewhere, and the status page', () => {
    const first = readme.slice(readme.indexOf('## First run'), readme.indexOf('## Send it data'));
    expect(readme.match(/^## .*/m)?.[0]).toBe('## First run'); // the first section
    expect(first).toContain('`npm start` sends to `http://localhost:5173/api`');
    expect(first).toContain('OPIK_URL_OVERRIDE');
    expect(first).toContain('http://localhost:55679/');
    expect(first).toMatch(/python3, make and g\+\+/);
    // The default it names is collector.yaml's.
    expect(readFileSync(join(root, 'collector.yaml'), 'utf8')).toContain(
      'endpoint: ${env:OPIK_URL_OVERRIDE:-http://localhost:5173/api}',
    );
  });

  it('delivers the README’s curl span to Opik, timed now, and says so in the log', async () => {
    const block = /```sh\n(# one span over OTLP\/JSON[\s\S]*?)```/.exec(readme)![1]!;
    const script = block.replace('http://localhost:4318', `http://${await otlpHttp()}`);
    const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    expect([r.status, r.stdout]).toEqual([0, '{}']);
    await expect
      .poll(() => fake.spans().map((s) => s.name), { timeout: 10_000 })
      .toEqual(['hello']);
    const start = Date.parse(String(fake.spans()[0]!.start_time));
    expect(Math.abs(Date.now() - start)).toBeLessThan(60_000); // inside Opik Cloud's window
    await logged(msg('first spans delivered'));
  });

  it('files Dify’s Phoenix spans with model and usage (genai is in the default pipeline)', async () => {
    // As Dify's Phoenix provider sends a chatflow run: one span per request, children first.
    for (const request of phoenixLegacy(RUNS[0]!)) {
      const res = await fetch(`http://${await otlpHttp()}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: encodeTracesRequest(request),
      });
      expect(res.status).toBe(200);
    }
    await expect
      .poll(() => fake.spans().find((s) => s.type === 'llm'), { timeout: 10_000 })
      .toBeDefined();
    const llm = fake.spans().find((s) => s.type === 'llm')!;
    expect(llm.model).toEqual(expect.any(String));
    expect(Object.keys(llm.usage as object)).toEqual(
      expect.arrayContaining(['prompt_tokens', 'completion_tokens']),
    );
  });

  it('shows the delivered traces on the status page’s JSON', async () => {
    const line = await logged(msg('status page on http://'));
    const body = (await (
      await fetch(`http://${String(line.address)}/api/status`)
    ).json()) as StatusSnapshot;
    const opik = body.exporters.find((x) => x.id === 'opik')!;
    expect(opik).toMatchObject({ state: 'ok', path: 'otlp', queue: { persistent: true } });
    expect(opik.recentTraces?.map((t) => t.name)).toContain('hello');
    expect(body.pipelines[0]!.processors.map((p) => p.id)).toEqual(['memory_limiter', 'genai']);
  });

  it('stops, ports and all, when `npm start` gets SIGTERM', async () => {
    const http = await otlpHttp();
    npm.kill('SIGTERM');
    expect(await npmExit).toBe(0);
    await logged(msg('collector stopped'));
    await expect(fetch(`http://${http}/v1/traces`, { method: 'POST' })).rejects.toThrow();
  });
});
