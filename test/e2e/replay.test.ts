import { readFileSync, writeFileSync } from 'node:fs';
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

const config = () =>
  configFile(`receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:0
exporters:
  opik:
    endpoint: ${fake.url}/api
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
    expect([r.code, r.stdout.trim()]).toEqual([0, 'replayed 2 of 2 item(s)']);
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
  });
});
