import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import type { Traces } from '../../../src/pdata/traces.js';
import { type FakeOpik, startFakeOpik } from '../../fake-opik/server.js';
import { recordAgentRun, sdkTracer, toTraces } from '../../support/sdk-spans.js';
import { comparable, startExporter } from './harness.js';

const T0 = Date.parse('2026-11-20T10:00:00.000Z');
const fakes: FakeOpik[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

function sdkBatch(): Traces {
  const exporter = new InMemorySpanExporter();
  const { tracer } = sdkTracer(exporter);
  recordAgentRun(tracer, T0);
  return toTraces(exporter.getFinishedSpans());
}

/** Sends `batches` to a fresh fake through one path and returns what Opik stored. */
async function storedVia(path: 'otlp' | 'rest', batches: readonly Traces[]) {
  const fake = await startFakeOpik();
  fakes.push(fake);
  if (path === 'rest') fake.otlpMissing = true;
  const { exporter } = await startExporter(fake);
  for (const b of batches) await exporter.consume(b);
  await exporter.shutdown();
  return { fake, traces: comparable(fake.traces()), spans: comparable(fake.spans()) };
}

describe('opik exporter: the OTLP and REST paths store the same Opik objects', () => {
  it('for spans from the OpenTelemetry JS SDK', async () => {
    const batch = sdkBatch();
    const viaOtlp = await storedVia('otlp', [batch]);
    const viaRest = await storedVia('rest', [batch]);
    expect(viaOtlp.fake.requestsTo('otlp').filter((r) => r.status === 200).length).toBeGreaterThan(
      0,
    );
    expect(viaRest.fake.requestsTo('otlp').every((r) => r.status === 404)).toBe(true);
    expect(viaOtlp.spans).toHaveLength(4);
    expect(viaOtlp.traces).toHaveLength(1);
    expect(viaOtlp.spans).toEqual(viaRest.spans);
    expect(viaOtlp.traces).toEqual(viaRest.traces);
  });
});
