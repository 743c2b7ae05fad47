import type { Traces } from '../../../src/pdata/traces.js';
import { genAiProcessorFactory } from '../../../src/processors/genai/factory.js';
import { TestHost, testSettings } from '../../../src/testing/settings.js';
import { TracesSink } from '../../../src/testing/sink.js';
import { type FakeOpik, startFakeOpik } from '../../fake-opik/server.js';
import { comparable, startExporter } from '../opik/harness.js';

export const fakes: FakeOpik[] = [];

/** Runs the requests, in turn, through one `genai` (default config); returns what it passed on. */
export async function normalized(requests: readonly Traces[]): Promise<Traces[]> {
  const config = genAiProcessorFactory.configSchema.parse(
    genAiProcessorFactory.createDefaultConfig(),
  );
  const sink = new TracesSink();
  const genai = genAiProcessorFactory.create(
    testSettings('processor', 'genai', 'traces'),
    config,
    sink,
  );
  await genai.start(new TestHost());
  for (const r of requests) await genai.consume(r);
  await genai.shutdown();
  return sink.batches;
}

/** Requests through `genai` and the `opik` exporter into a fresh fake Opik: what Opik stored. */
export async function storedInOpik(requests: readonly Traces[], path: 'otlp' | 'rest' = 'otlp') {
  const fake = await startFakeOpik();
  fakes.push(fake);
  const { exporter } = await startExporter(fake, { ingestion_window: { check: false } });
  fake.otlpMissing = path === 'rest';
  for (const t of await normalized(requests)) await exporter.consume(t);
  await exporter.shutdown();
  return { traces: comparable(fake.traces()), spans: comparable(fake.spans()) };
}

type Row = Record<string, unknown>;
export const byName = (rows: Row[], name: string): Row => {
  const found = rows.find((r) => r.name === name);
  if (!found) throw new Error(`no span named ${name} in ${rows.map((r) => r.name).join(', ')}`);
  return found;
};
