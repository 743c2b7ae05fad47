/**
 * No poison pill, end to end: a span that every receiver limit lets through (a 24 KB string
 * attribute holding JSON nested 12,000 levels deep) but that the `opik` exporter cannot write,
 * sent over OTLP/HTTP between good spans, with the persistent queue of collector.yaml and
 * retries without end. The good spans reach Opik; the bad one is dead-lettered with the reason.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeTracesRequest } from '../../src/otlp/proto-codec.js';
import { mergeTraces } from '../../src/pdata/split.js';
import type { Traces } from '../../src/pdata/traces.js';
import type { OtlpReceiver } from '../../src/receivers/otlp/receiver.js';
import { type Collector, startCollector } from '../../src/service/collector.js';
import { capturingLogger } from '../../src/testing/senders.js';
import { type FakeOpik, startFakeOpik } from '../fake-opik/server.js';
import { llmTrace } from './opik/spans.js';
import { componentOf, resolveYaml } from './support/pipeline.js';

const DEEP_JSON = `${'['.repeat(12_000)}${']'.repeat(12_000)}`;

const logLines = (lines: Record<string, unknown>[]) => lines.map((l) => String(l.msg));

let collector: Collector | undefined;
let fake: FakeOpik | undefined;
afterEach(async () => {
  await collector?.shutdown();
  await fake?.stop();
  collector = fake = undefined;
});

describe('a poisoned span between good ones', () => {
  it('is dead-lettered with its reason while the persistent queue delivers the rest to Opik', async () => {
    fake = await startFakeOpik();
    const dir = mkdtempSync(join(tmpdir(), 'poison-'));
    const deadLetters = join(dir, 'opik.dead-letter.jsonl');
    const { logger, lines } = capturingLogger();
    collector = await startCollector(
      resolveYaml(`
extensions:
  file_storage: { directory: ${dir} }
receivers:
  otlp:
    protocols: { http: { endpoint: 127.0.0.1:0 } }
exporters:
  opik:
    endpoint: ${fake.url}/api
    detect_id_overrides: false
    dead_letter: { path: ${deadLetters} }
    retry_on_failure: { initial_interval: 10ms, max_interval: 20ms, max_elapsed_time: 0s }
    sending_queue: { enabled: true, storage: file_storage, num_consumers: 1 }
service:
  extensions: [file_storage]
  telemetry: { metrics: { level: none } }
  pipelines:
    traces: { receivers: [otlp], exporters: [opik] }
`),
      logger,
    );
    const url = `http://${componentOf<OtlpReceiver>(collector, 'receiver', 'otlp').addresses.http}/v1/traces`;
    const post = async (t: Traces) =>
      (
        await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-protobuf' },
          body: encodeTracesRequest(t),
        })
      ).status;

    const now = Date.now();
    const poisoned = llmTrace(now, 2, { 'input.value': DEEP_JSON });
    expect(await post(llmTrace(now))).toBe(200);
    expect(await post(mergeTraces([llmTrace(now), poisoned, llmTrace(now)]))).toBe(200);
    expect(await post(llmTrace(now))).toBe(200);

    // 5 traces of 3 spans; of the poisoned one, its root cannot go (nor its trace row: its two
    // children arrive under the row the exporter makes for spans whose root is missing).
    await expect.poll(() => fake!.spans().length, { timeout: 10_000 }).toBe(14);
    expect(fake.spans().filter((s) => s.name === 'request')).toHaveLength(4);
    expect(fake.traces()).toHaveLength(5);
    const deadLettered = readFileSync(deadLetters, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; reason: string; item: { name: string } });
    // One bad span says nothing about Opik's OTLP endpoint: the exporter stays on it.
    expect(logLines(lines).filter((m) => m.startsWith('switching to the'))).toEqual([]);
    expect(deadLettered.map((l) => [l.kind, l.item.name, l.reason])).toEqual([
      [
        'span',
        'request',
        'given up: failed twice in a row the same way: Maximum call stack size exceeded',
      ],
      [
        'trace',
        'request',
        'given up: failed twice in a row the same way: Maximum call stack size exceeded',
      ],
    ]);
  });
});
