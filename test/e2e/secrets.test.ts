/**
 * Secrets never leave the process: the Opik API key, bearer tokens (inline and from a token
 * file, received and sent by an exporter), the `opik` receiver's API key and a password inside a
 * URL are grepped for in everything the collector writes or serves: its log lines,
 * `print-config`, `doctor`, the metrics endpoint, the status page, its script and its JSON, and
 * the dead-letter file (base64-encoded link parameters included).
 */
import { spawn } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rememberSecret } from '../../src/config/secret.js';
import { newUuidV7 } from '../../src/opik-ids/uuid.js';
import { encodeTracesRequest } from '../../src/otlp/proto-codec.js';
import { makeSpan, makeTraces } from '../../src/pdata/span.js';
import { fixtureText } from '../../src/receivers/dify/test-fixtures.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { FakeOpik } from '../fake-opik/server.js';
import { freePort } from '../support/free-port.js';
import { CLI, configFile, type Running, runCollector } from './cli.js';
import { eventually, tempDir } from './durable-support.js';

const API_KEY = 'opik-key-4c1d9e2a7b';
const URL_PASSWORD = 'url-pw-8f3e61aa';
const FILE_TOKEN = 'file-token-77ab02c9';
const INLINE_TOKEN = 'inline-token-5e9d13f0';
const RECEIVER_KEY = 'opik-receiver-key-2b7e90c4';
const SECRETS = [API_KEY, URL_PASSWORD, FILE_TOKEN, INLINE_TOKEN, RECEIVER_KEY];

let fake: FakeOpik;
let run: Running;
let config: string;
let dir: string;
const outputs: Record<string, string> = {};

function cliAsync(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args]);
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

beforeAll(async () => {
  fake = await new FakeOpik({
    auth: { mode: 'cloud', keys: { [API_KEY]: ['acme'] } },
    uuidWindowMs: 24 * 3_600_000,
  }).start();
  dir = tempDir();
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, `${FILE_TOKEN}\n`);
  const opikUrl = fake.url.replace('http://', `http://opik:${URL_PASSWORD}@`);
  // The opik receiver's writes go on to the collector's own otlp receiver through an otlphttp
  // exporter that sends the token bearertokenauth holds: a token received and sent.
  const otlpPort = await freePort();
  config = configFile(`
extensions:
  bearertokenauth:
    filename: ${tokenFile}
  bearertokenauth/dify:
    token: ${INLINE_TOKEN}
  status:
    endpoint: 127.0.0.1:0
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${otlpPort}, auth: { authenticator: bearertokenauth } }
  dify:
    endpoint: 127.0.0.1:0
    auth: { authenticator: bearertokenauth/dify }
  opik:
    endpoint: 127.0.0.1:0
    api_keys: [${RECEIVER_KEY}]
    relay: { endpoint: ${opikUrl}/api, api_key: ${API_KEY}, workspace: acme }
exporters:
  opik:
    endpoint: ${opikUrl}/api
    api_key: ${API_KEY}
    workspace: acme
    detect_id_overrides: false
    ingestion_window: { check: true }
    dead_letter: { directory: ${dir} }
  otlphttp:
    endpoint: http://127.0.0.1:${otlpPort}
    auth: { authenticator: bearertokenauth }
service:
  extensions: [bearertokenauth, bearertokenauth/dify, status]
  telemetry:
    logs: { level: debug }
    metrics: { address: 127.0.0.1:0 }
  pipelines:
    traces: { receivers: [otlp, dify], exporters: [opik] }
    traces/opik: { receivers: [opik], exporters: [otlphttp] }
`);
  run = runCollector(['--config', config]);
  const started = await run.waitForLog((l) => l.msg === 'collector started');
  const otlp = (await run.waitForLog((l) => l.msg === 'OTLP/HTTP receiver listening')).endpoint;
  const difyAt = (await run.waitForLog((l) => l.msg === 'dify receiver listening')).endpoint;
  const opikAt = (await run.waitForLog((l) => l.msg === 'opik receiver listening')).endpoint;
  const statusAt = (await run.waitForLog((l) => String(l.msg).startsWith('status page on')))
    .address;
  const post = (url: string, body: Uint8Array | string, headers: Record<string, string>) =>
    fetch(url, { method: 'POST', body, headers });
  const span = (attrs: Record<string, string>, startMs: number) =>
    encodeTracesRequest(
      makeTraces([
        makeSpan({
          traceId: 'ab'.repeat(16),
          spanId: 'cd'.repeat(8),
          name: 'secret-test',
          startTimeUnixNano: BigInt(startMs) * 1_000_000n,
          endTimeUnixNano: BigInt(startMs + 5) * 1_000_000n,
          attributes: Object.entries(attrs).map(([key, value]) => ({ key, value })),
        }),
      ]),
    );
  const proto = { 'content-type': 'application/x-protobuf' };
  // Accepted and delivered; refused with wrong and missing tokens; and one span whose Opik ids lie
  // outside the ingestion window, which is dead-lettered.
  expect(
    (
      await post(`http://${otlp}/v1/traces`, span({}, Date.now()), {
        ...proto,
        authorization: `Bearer ${FILE_TOKEN}`,
      })
    ).status,
  ).toBe(200);
  expect(
    (
      await post(`http://${otlp}/v1/traces`, span({}, Date.now()), {
        ...proto,
        authorization: 'Bearer nope-nope',
      })
    ).status,
  ).toBe(401);
  expect((await post(`http://${otlp}/v1/traces`, span({}, Date.now()), proto)).status).toBe(401);
  const old = span(
    {
      'opik.trace_id': '019ebaf3-cfa3-70b7-a3c9-c9de9689fead',
      'opik.span_id': '019ebaf3-cfa3-7ab5-b658-8be89e08717d',
    },
    Date.parse('2026-06-12T08:30:01.123Z'),
  );
  expect(
    (
      await post(`http://${otlp}/v1/traces`, old, {
        ...proto,
        authorization: `Bearer ${FILE_TOKEN}`,
      })
    ).status,
  ).toBe(200);
  expect(
    (
      await post(`http://${difyAt}/v1/dify/traces`, fixtureText('message_chat.json'), {
        'content-type': 'application/json',
        authorization: `Bearer ${INLINE_TOKEN}`,
      })
    ).status,
  ).toBe(200);
  // Opik's SDK through the opik receiver (its key), a refusal without it, and a relayed call.
  const opikWrite = JSON.stringify({
    traces: [
      {
        id: newUuidV7(Date.now()),
        name: 'via-opik',
        start_time: new Date().toISOString(),
      },
    ],
  });
  const json = { 'content-type': 'application/json' };
  expect(
    (
      await post(`http://${opikAt}/api/v1/private/traces/batch`, opikWrite, {
        ...json,
        authorization: RECEIVER_KEY,
      })
    ).status,
  ).toBe(204);
  expect((await post(`http://${opikAt}/api/v1/private/traces/batch`, opikWrite, json)).status).toBe(
    401,
  );
  await fetch(`http://${opikAt}/api/v1/private/projects?name=x`, {
    headers: { authorization: RECEIVER_KEY },
  });
  await eventually(() => fake.traces().some((t) => t.name === 'via-opik'));
  const deadLetter = join(dir, 'opik.dead-letter.jsonl');
  await eventually(() => {
    try {
      return readFileSync(deadLetter, 'utf8').length > 0;
    } catch {
      return false;
    }
  });
  outputs['dead-letter file'] = readFileSync(deadLetter, 'utf8');
  outputs.metrics = await (await fetch(`http://${started.metrics}/metrics`)).text();
  for (const [name, path] of [
    ['status page', '/'],
    ['status script', '/status.js'],
    ['status JSON', '/api/status'],
  ] as const) {
    outputs[name] = withDecodedLinks(await (await fetch(`http://${statusAt}${path}`)).text());
  }
  outputs['print-config'] = (await cliAsync(['print-config', '--config', config])).out;
  outputs['print-config --format json'] = (
    await cliAsync(['print-config', '--format', 'json', '--config', config])
  ).out;
  outputs.doctor = (await cliAsync(['doctor', '--config', config])).out;
  run.child.kill('SIGTERM');
  await run.exited;
  outputs.logs = run.logs.map((l) => JSON.stringify(l)).join('\n');
}, 60_000);

/** `text` with the base64 `path=` parameters of links decoded and appended, so they are grepped too. */
function withDecodedLinks(text: string): string {
  const decoded = [...text.matchAll(/[?&]path=([^&"\s]+)/g)].map((m) =>
    Buffer.from(decodeURIComponent(m[1]!), 'base64').toString('utf8'),
  );
  return [text, ...decoded].join('\n');
}

afterAll(async () => {
  if (run?.child.exitCode === null) run.child.kill('SIGKILL');
  await fake?.stop();
});

describe('secrets', () => {
  it('did real work: delivered spans, dead-lettered one, answered doctor and print-config', () => {
    expect(fake.spans().length).toBeGreaterThan(0);
    expect(outputs['status JSON']).toContain('"id":"otlphttp"');
    expect(outputs['status JSON']).toContain('Opik project');
    expect(outputs['dead-letter file']).toContain('019ebaf3-cfa3-7ab5-b658-8be89e08717d');
    expect(outputs.metrics).toContain('otelcol_receiver_accepted_spans_total');
    expect(outputs['print-config']).toContain('[REDACTED]');
    expect(outputs['print-config']).toContain(`http://opik:[REDACTED]@127.0.0.1`);
    expect(outputs.doctor).toMatch(/Opik answers at http:\/\/opik:\[REDACTED\]@127\.0\.0\.1/);
    expect(outputs.logs).toContain('collector started');
  });

  it.each([
    'logs',
    'print-config',
    'print-config --format json',
    'doctor',
    'metrics',
    'dead-letter file',
    'status page',
    'status script',
    'status JSON',
  ])('never appear in %s', (where) => {
    const text = outputs[where]!;
    expect(SECRETS.filter((s) => text.includes(s))).toEqual([]);
  });

  it('are scrubbed from any log line, wherever they end up (an error message, a URL)', () => {
    const file = join(tempDir(), 'log.jsonl');
    const fd = openSync(file, 'w');
    const logger = createLogger('info', fd);
    rememberSecret('s3cr3t-from-config');
    logger.error(
      { err: 'connect ECONNREFUSED redis://:p4ssw0rd@cache:6379 with key s3cr3t-from-config' },
      'postgres://dify:hunter2@db:5432/dify is down',
    );
    logger.flush();
    const line = readFileSync(file, 'utf8');
    expect(line).not.toMatch(/p4ssw0rd|s3cr3t-from-config|hunter2/);
    expect(line).toContain('redis://:[REDACTED]@cache:6379');
    expect(line).toContain('postgres://dify:[REDACTED]@db:5432/dify');
  });
});
