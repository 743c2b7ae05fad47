import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeOpik } from '../fake-opik/server.js';
import { cliAsync, configFile } from './cli.js';
import { tempDir } from './durable-support.js';

let fake: FakeOpik;
beforeEach(async () => {
  fake = await new FakeOpik().start();
});
afterEach(() => fake.stop());

const config = (endpoint = `${fake.url}/api`) =>
  configFile(`receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:0
exporters:
  opik:
    endpoint: ${endpoint}
service:
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [opik]
`);

const trace = {
  id: '0199e0b3-5b1a-7000-8000-000000000001',
  name: 'message',
  start_time: '2026-11-23T10:00:00.000Z',
  project_name: 'Default Project',
  source: 'sdk',
};
const span = {
  id: '0199e0b3-5b1a-7000-8000-000000000002',
  trace_id: trace.id,
  name: 'llm',
  type: 'llm',
  start_time: '2026-11-23T10:00:00.000Z',
  project_name: 'Default Project',
  source: 'sdk',
};

describe('dify-opik-collector replay', () => {
  it('re-sends dead-lettered trace rows and spans through the config’s opik exporter', async () => {
    const file = join(tempDir(), 'opik.dead-letter.jsonl');
    writeFileSync(
      file,
      `${[
        { exporter: 'opik', kind: 'span', reason: 'given up: HTTP 503', item: span },
        { exporter: 'opik', kind: 'trace', reason: 'given up: HTTP 503', item: trace },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n')}\n`,
    );
    const r = await cliAsync(['replay', file, '--config', config()]);
    expect([r.code, r.stdout.trim().split('\n')]).toEqual([
      0,
      [
        'replayed 2 of 2 item(s)',
        `moved ${file} to ${file}.replayed (its items are in Opik now; delete it when you like)`,
      ],
    ]);
    expect(existsSync(file)).toBe(false);
    expect(fake.traces().map((t) => t.id)).toEqual([trace.id]);
    expect(fake.spans().map((s) => s.id)).toEqual([span.id]);
    const order = fake.requests.map((q) => q.route);
    expect(order.indexOf('traces')).toBeLessThan(order.indexOf('spans'));
  });

  it('keeps what Opik refuses again in FILE.failed.jsonl and exits 1', async () => {
    const file = join(tempDir(), 'dl.jsonl');
    writeFileSync(
      file,
      `${JSON.stringify({ exporter: 'opik', kind: 'span', item: { ...span, id: 'not-a-uuid' } })}\n`,
    );
    const r = await cliAsync(['replay', file, '--config', config()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('1 item(s) were refused again');
    const kept = JSON.parse(readFileSync(`${file}.failed.jsonl`, 'utf8')) as { reason: string };
    expect(kept.reason).toMatch(/^replay: HTTP 400: .*not-a-uuid/);
    expect(r.stderr).toMatch(/^ {2}1 × replay: HTTP 400: .*not-a-uuid/m);
  });

  it('finds the one refused item in a batch and delivers the others', async () => {
    const file = join(tempDir(), 'dl.jsonl');
    const lines = [
      { exporter: 'opik', kind: 'trace', item: trace },
      { exporter: 'opik', kind: 'span', item: span },
      { exporter: 'opik', kind: 'span', item: { ...span, id: 'not-a-uuid' } },
    ];
    writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const r = await cliAsync(['replay', file, '--config', config()]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('replayed 2 of 3 item(s)');
    expect(fake.spans().map((s) => s.id)).toEqual([span.id]);
  });

  it('says why when Opik cannot be reached, and leaves the file alone', async () => {
    const file = join(tempDir(), 'dl.jsonl');
    const text = `${JSON.stringify({ exporter: 'opik', kind: 'span', item: span })}\n`;
    writeFileSync(file, text);
    await fake.stop();
    const endpoint = `${fake.url}/api`;
    const r = await cliAsync(['replay', file, '--config', config(endpoint)]);
    expect(r.code).toBe(1);
    const port = new URL(fake.url).port;
    expect(r.stderr.trim().split('\n')).toEqual([
      `replay stopped after 0 of 1 item(s): cannot reach Opik at ${endpoint}: connect ECONNREFUSED 127.0.0.1:${port} (connection refused: nothing listens at that address; is the service running?) (exporter "opik", ${endpoint})`,
      `${file} is left as it was; run replay again once Opik takes data (\`dify-opik-collector doctor\` says what is wrong). Items already sent are upserted by id, never duplicated.`,
    ]);
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(existsSync(`${file}.failed.jsonl`)).toBe(false);
    expect(existsSync(`${file}.replayed`)).toBe(false);
  });

  it('says when Opik is up but failing (HTTP 503), and sends nothing more', async () => {
    const file = join(tempDir(), 'dl.jsonl');
    writeFileSync(file, `${JSON.stringify({ exporter: 'opik', kind: 'span', item: span })}\n`);
    fake.down = true;
    const r = await cliAsync(['replay', file, '--config', config()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'replay stopped after 0 of 1 item(s): Opik answered HTTP 503: Service Unavailable (the service is unavailable (down, starting or overloaded))',
    );
    expect(existsSync(file)).toBe(true);
  });

  it('after a replay that went through, removes the stale FILE.failed.jsonl and says so', async () => {
    const file = join(tempDir(), 'dl.jsonl');
    writeFileSync(file, `${JSON.stringify({ exporter: 'opik', kind: 'trace', item: trace })}\n`);
    writeFileSync(
      `${file}.failed.jsonl`,
      '{"kind":"span","reason":"replay: HTTP 400","item":{}}\n',
    );
    const r = await cliAsync(['replay', file, '--config', config()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`removed ${file}.failed.jsonl, left over from an earlier replay`);
    expect(existsSync(`${file}.failed.jsonl`)).toBe(false);
    expect(readFileSync(`${file}.replayed`, 'utf8')).toContain(trace.id);
  });
});
