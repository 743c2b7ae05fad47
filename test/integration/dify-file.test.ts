/**
 * Every Dify fixture POSTed to the real `dify` receiver lands in the real `file` exporter as
 * OTLP/JSON: the spans the mapping makes (names, parents, ids checked in the receiver's own
 * fixture tests), and the same fixture posted twice writes the same line twice.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTracesJson } from '../../src/otlp/json-codec.js';
import { spanCount } from '../../src/pdata/count.js';
import { convertBatch } from '../../src/receivers/dify/batch.js';
import type { DifyReceiver } from '../../src/receivers/dify/receiver.js';
import {
  envelopeFixtures,
  FIXTURES_DIR,
  fixture,
  withNodes,
} from '../../src/receivers/dify/test-fixtures.js';
import type { Collector } from '../../src/service/collector.js';
import { componentOf, startYaml } from './support/pipeline.js';

const out = join(mkdtempSync(join(tmpdir(), 'dify-file-')), 'traces.jsonl');
let collector: Collector;
let url: string;

beforeAll(async () => {
  collector = await startYaml(`
receivers:
  dify:
    endpoint: 127.0.0.1:0
exporters:
  file:
    path: ${out}
    flush_interval: 0s
service:
  telemetry: { metrics: { level: none } }
  pipelines:
    traces: { receivers: [dify], exporters: [file] }
`);
  url = `http://${componentOf<DifyReceiver>(collector, 'receiver', 'dify').address}/v1/dify/traces`;
});
afterAll(() => collector.shutdown());

const item = (name: string) =>
  existsSync(new URL(name.replace('.json', '.node_executions.json'), FIXTURES_DIR))
    ? withNodes(name)
    : fixture(name);
const lines = () =>
  readFileSync(out, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
const post = (body: unknown) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('Dify fixtures → dify receiver → file exporter', () => {
  it.each(envelopeFixtures())('%s', async (name) => {
    const expected = convertBatch([{ value: item(name) }]).traces;
    const before = existsSync(out) ? lines().length : 0;
    const res = await post(item(name));
    expect(res.status).toBe(200);
    if (spanCount(expected) === 0) {
      expect(existsSync(out) ? lines().length : 0).toBe(before);
      return;
    }
    await post(item(name));
    const [first, second] = lines().slice(before);
    expect(second).toBe(first);
    const written = decodeTracesJson(first!);
    expect(spanCount(written)).toBe(spanCount(expected));
    expect(written.resourceSpans[0]!.scopeSpans[0]!.spans).toEqual(
      expected.resourceSpans[0]!.scopeSpans[0]!.spans,
    );
  });
});
