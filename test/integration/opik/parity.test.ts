import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { mergeTraces } from '../../../src/pdata/split.js';
import type { Traces } from '../../../src/pdata/traces.js';
import { type FakeOpik, startFakeOpik } from '../../fake-opik/server.js';
import { OPIK_2_1, OPIK_2_2 } from '../../fake-opik/version.js';
import { difyChatflowRun, difyMessageScoped } from '../../support/dify-shaped.js';
import { recordAgentRun, sdkTracer, toTraces } from '../../support/sdk-spans.js';
import { comparable, startExporter } from './harness.js';

const T0 = Date.parse('2026-11-20T10:00:00.000Z');
const fakes: FakeOpik[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

/** One recorded agent run (random OTel ids), each span in its own batch, in the order they ended. */
function recordSdkBatches(): Traces[] {
  const exporter = new InMemorySpanExporter();
  const { tracer } = sdkTracer(exporter);
  recordAgentRun(tracer, T0);
  return exporter.getFinishedSpans().map((s) => toTraces([s]));
}
const SDK_RUN = recordSdkBatches();
const sdkBatches = () => SDK_RUN;

type Path = 'otlp' | 'rest';

/** Sends `batches` to a fresh fake, each through the given path, and returns what Opik stored. */
async function storedOn(version: string, paths: Path | Path[], batches: readonly Traces[]) {
  const fake = await startFakeOpik({ version });
  fakes.push(fake);
  const { exporter } = await startExporter(fake, { fallback: { probe_interval: '0s' } });
  for (const [i, b] of batches.entries()) {
    const path = Array.isArray(paths) ? paths[i % paths.length]! : paths;
    fake.otlpMissing = path === 'rest';
    await exporter.consume(b);
  }
  await exporter.shutdown();
  const otlpOk = fake.requestsTo('otlp').filter((r) => r.status === 200).length;
  return { traces: comparable(fake.traces()), spans: comparable(fake.spans()), otlpOk };
}

const cases: Array<[string, () => Traces[]]> = [
  ['spans from the OpenTelemetry JS SDK, one batch', () => [mergeTraces(sdkBatches())]],
  ['spans from the OpenTelemetry JS SDK, each span in its own batch', sdkBatches],
  ['a Dify-shaped chatflow run', () => [difyChatflowRun()]],
  ['Dify-shaped message-scoped spans whose message is elsewhere', () => [difyMessageScoped()]],
];

describe.each([OPIK_2_1, OPIK_2_2])(
  'opik exporter on Opik %s: what Opik stores does not depend on the path',
  (version) => {
    const storedVia = (paths: Path | Path[], batches: readonly Traces[]) =>
      storedOn(version, paths, batches);

    it.each(cases)('stores the same objects via OTLP and via REST: %s', async (_name, batches) => {
      const viaOtlp = await storedVia('otlp', batches());
      const viaRest = await storedVia('rest', batches());
      expect(viaOtlp.otlpOk).toBeGreaterThan(0);
      expect(viaRest.otlpOk).toBe(0);
      expect(viaOtlp.spans.length).toBeGreaterThan(0);
      expect(viaOtlp.traces.length).toBeGreaterThan(0);
      expect(viaOtlp.spans).toEqual(viaRest.spans);
      expect(viaOtlp.traces).toEqual(viaRest.traces);
    });

    it.each(cases)(
      'leaves the same state when everything is sent twice: %s',
      async (_name, batches) => {
        const once = await storedVia('otlp', batches());
        const twice = await storedVia('otlp', [...batches(), ...batches()]);
        const mixed = await storedVia(['otlp', 'rest'], [...batches(), ...batches()]);
        expect(twice.spans).toEqual(once.spans);
        expect(twice.traces).toEqual(once.traces);
        expect(mixed.spans).toEqual(once.spans);
        expect(mixed.traces).toEqual(once.traces);
      },
    );

    it('keeps the ids and names Dify’s own Opik integration gives a chatflow run', async () => {
      const stored = await storedVia('otlp', [difyChatflowRun()]);
      expect(stored.traces).toEqual([
        expect.objectContaining({
          id: '019ebaf3-cfa3-70b7-a3c9-c9de9689fead',
          name: 'message',
          tags: ['message', 'workflow'],
          thread_id: '1b0db45a-eba8-4237-84a7-f15c6706261c',
        }),
      ]);
      const byName = Object.fromEntries(stored.spans.map((s) => [s.name, s]));
      expect(byName.LLM).toMatchObject({
        id: '019ebaf3-d2f7-7803-9121-d14ea45faa97',
        parent_span_id: '019ebaf3-cfa3-7ab5-b658-8be89e08717d',
        type: 'llm',
        model: 'deepseek-chat',
        provider: 'deepseek',
        usage: { prompt_tokens: 1211, completion_tokens: 252, total_tokens: 1463 },
        output: { 'output.value': '30 天内可无理由退货 🙂' },
      });
      expect(byName.知识检索).toMatchObject({ type: 'tool', tags: ['node_execution'] });
      // The run's own token totals stay metadata: on a general span they would count twice.
      expect(byName.workflow).not.toHaveProperty('usage');
      expect(byName.workflow).toMatchObject({
        type: 'general',
        metadata: {
          'opik.metadata': {
            'gen_ai.usage.input_tokens': 1211,
            workflow_run_id: 'c9c4129f-3ea2-4ab5-b658-8be89e08717d',
          },
        },
      });
      expect(byName.weather_forecast).toMatchObject({
        type: 'tool',
        error_info: {
          exception_type: 'RateLimitError',
          message: 'Read timed out. (read timeout=10)',
        },
      });
    });

    it('gives a trace whose top-level span has not arrived a placeholder row the real row replaces', async () => {
      const [firstChild] = sdkBatches(); // the LLM call ends (and is exported) first
      const childOnly = await storedVia('otlp', [firstChild!]);
      expect(childOnly.traces).toEqual([
        {
          id: childOnly.spans[0]!.trace_id,
          project_name: 'Default Project',
          name: 'chat gpt-4.1-mini',
          start_time: '2026-11-20T10:00:00.005Z',
          source: 'sdk',
        },
      ]);
      const rootFirst = await storedVia('otlp', [...sdkBatches()].reverse());
      const rootLast = await storedVia('otlp', sdkBatches());
      for (const stored of [rootFirst, rootLast]) {
        expect(stored.traces).toEqual([
          expect.objectContaining({ name: 'agent run', thread_id: 'conv-42' }),
        ]);
      }
    });
  },
);
