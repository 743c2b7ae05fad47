/**
 * What a receiver accepts, the exporter can send: spans at the receivers' limits (values nested
 * as deep as `max_depth` allows at its highest, strings of `max_attribute_value_length`, arrays of
 * `max_array_length`, `max_attributes_per_span` attributes; for the `opik` receiver, input nested
 * as deep as Opik's own reader allows) go through the persistent queue and the `opik` exporter to
 * Opik, with nothing dead-lettered.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newUuidV7 } from '../../src/opik-ids/uuid.js';
import { encodeTracesRequest } from '../../src/otlp/proto-codec.js';
import { makeSpan, makeTraces } from '../../src/pdata/span.js';
import type { AnyValue, KeyValue } from '../../src/pdata/traces.js';
import type { OpikReceiver } from '../../src/receivers/opik/receiver.js';
import type { OtlpReceiver } from '../../src/receivers/otlp/receiver.js';
import { type Collector, startCollector } from '../../src/service/collector.js';
import { capturingLogger } from '../../src/testing/senders.js';
import { type FakeOpik, startFakeOpik } from '../fake-opik/server.js';
import { componentOf, resolveYaml } from './support/pipeline.js';

let collector: Collector | undefined;
let fake: FakeOpik | undefined;
afterEach(async () => {
  await collector?.shutdown();
  await fake?.stop();
  collector = fake = undefined;
});

/** A value nested `levels` deep, maps and arrays in turn. */
function nested(levels: number): AnyValue {
  let v: AnyValue = 'bottom';
  for (let i = 1; i < levels; i++) v = i % 2 ? [v] : { kvlist: [{ key: `k${i}`, value: v }] };
  return v;
}

describe('the same limits on both sides', () => {
  it('delivers spans at every receiver limit to Opik, through the persistent queue', async () => {
    fake = await startFakeOpik();
    const dir = mkdtempSync(join(tmpdir(), 'limits-'));
    collector = await startCollector(
      resolveYaml(`
extensions:
  file_storage: { directory: ${dir} }
receivers:
  otlp:
    protocols: { http: { endpoint: 127.0.0.1:0 } }
    limits: { max_depth: 128 }
  opik:
    endpoint: 127.0.0.1:0
    relay: { enabled: false }
exporters:
  opik:
    endpoint: ${fake.url}/api
    detect_id_overrides: false
    dead_letter: { directory: ${dir} }
    retry_on_failure: { initial_interval: 10ms, max_interval: 20ms, max_elapsed_time: 0s }
    sending_queue: { enabled: true, storage: file_storage, num_consumers: 1 }
service:
  extensions: [file_storage]
  telemetry: { metrics: { level: none } }
  pipelines:
    traces: { receivers: [otlp, opik], exporters: [opik] }
`),
      capturingLogger().logger,
    );
    const otlp = componentOf<OtlpReceiver>(collector, 'receiver', 'otlp').addresses.http!;
    const opik = componentOf<OpikReceiver>(collector, 'receiver', 'opik').address!;
    const now = BigInt(Date.now()) * 1_000_000n;
    const attributes: KeyValue[] = [
      { key: 'deep', value: nested(128) },
      { key: 'long', value: 'x'.repeat(1024 * 1024) },
      { key: 'wide', value: Array.from({ length: 10_000 }, (_, i) => `e${i}`) },
      ...Array.from({ length: 125 }, (_, i) => ({ key: `a${i}`, value: i })),
    ];
    const span = makeSpan({
      traceId: 'ab'.repeat(16),
      spanId: 'cd'.repeat(8),
      name: 'at the limits',
      startTimeUnixNano: now,
      endTimeUnixNano: now + 1_000_000n,
      attributes,
    });
    const res = await fetch(`http://${otlp}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: encodeTracesRequest(makeTraces([span])),
    });
    expect(res.status).toBe(200);

    // The document around it (object, traces array, item) takes three of Opik's 1,000 levels.
    const deepInput = `${'['.repeat(997)}"bottom"${']'.repeat(997)}`;
    const write = await fetch(`http://${opik}/api/v1/private/traces/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"traces":[{"id":"${newUuidV7(Date.now())}","name":"deep input","start_time":"${new Date().toISOString()}","input":${deepInput}}]}`,
    });
    expect(write.status).toBe(204);

    await expect
      .poll(
        () =>
          fake!
            .traces()
            .map((t) => t.name)
            .sort(),
        { timeout: 10_000 },
      )
      .toEqual(['at the limits', 'deep input']);
    expect(existsSync(join(dir, 'opik.dead-letter.jsonl'))).toBe(false);
  });
});
