import { afterEach, describe, expect, it, vi } from 'vitest';
import { phoenixLegacy, phoenixUnified, RUNS } from '../../../../test/fixtures/genai/dify/runs.js';
import type { Span, Traces } from '../../../pdata/traces.js';
import { TestHost, testSettings } from '../../../testing/settings.js';
import { TracesSink } from '../../../testing/sink.js';
import { genAiProcessorFactory } from '../factory.js';

const chatflow = RUNS.find((r) => r.name === 'a chatflow with an iteration')!;
const chat = RUNS.find((r) => r.name === 'a chat message with moderation and suggestions')!;

const spansOf = (t: Traces): Span[] =>
  t.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
const only = (requests: Traces[], keep: (s: Span) => boolean) =>
  requests.filter((r) => spansOf(r).every(keep));
const isNode = (s: Span) => s.attributes.some((kv) => kv.key === 'dify.node.execution_id');
/** A run's node spans alone: the run span that names the run never comes, nor the root. */
const nodesOnly = () => only(phoenixLegacy(chatflow), isNode);

async function genai(hold: Record<string, unknown> = {}) {
  const settings = testSettings('processor', 'genai', 'traces');
  const defaults = genAiProcessorFactory.createDefaultConfig() as {
    dify_hold: Record<string, unknown>;
  };
  const config = genAiProcessorFactory.configSchema.parse({
    ...defaults,
    dify_hold: { ...defaults.dify_hold, ...hold },
  });
  const sink = new TracesSink();
  const processor = genAiProcessorFactory.create(settings, config, sink);
  await processor.start(new TestHost());
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const m = settings.telemetry.registry.getSingleMetric(name);
    const { values } = await m!.get();
    return (
      values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value ?? 0
    );
  };
  return { processor, sink, metric };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the hold', () => {
  it('keeps memory bounded when the spans naming the runs never come, and delivers everything', async () => {
    const { processor, sink, metric } = await genai({ num_traces: 50, limit_mib: 1 });
    let sent = 0;
    let mostTraces = 0;
    let mostBytes = 0;
    for (let run = 0; run < 150; run++) {
      for (const request of nodesOnly()) {
        sent += spansOf(request).length;
        await processor.consume(request);
        mostTraces = Math.max(
          mostTraces,
          await metric('otelcol_processor_genai_dify_traces_in_memory'),
        );
        mostBytes = Math.max(
          mostBytes,
          await metric('otelcol_processor_genai_dify_bytes_in_memory'),
        );
      }
    }
    expect(mostTraces).toBeLessThanOrEqual(50);
    expect(mostBytes).toBeLessThanOrEqual(1024 * 1024);
    const early =
      (await metric('otelcol_processor_genai_dify_spans_given_up_total', {
        reason: 'num_traces',
      })) +
      (await metric('otelcol_processor_genai_dify_spans_given_up_total', { reason: 'limit_mib' }));
    expect(early).toBeGreaterThan(0);
    expect(sink.spanCount).toBe(early);
    await processor.shutdown();
    // Nothing is dropped: what still waited goes on at shutdown.
    expect(sink.spanCount).toBe(sent);
    expect(
      early +
        (await metric('otelcol_processor_genai_dify_spans_given_up_total', { reason: 'shutdown' })),
    ).toBe(sent);
    expect(await metric('otelcol_processor_genai_dify_spans_held_total')).toBe(sent);
    expect(await metric('otelcol_processor_genai_dify_spans_released_total')).toBe(0);
  });

  it('delivers, after wait_duration, what waited in vain, counted as given up, under the run the root names', async () => {
    vi.useFakeTimers();
    const { processor, sink, metric } = await genai({ wait_duration: '30s' });
    const requests = only(phoenixLegacy(chatflow), (s) => !s.name.startsWith('workflow_'));
    for (const r of requests) await processor.consume(r);
    expect(sink.spanCount).toBe(0);
    // The root (which names the run) and the loop wrappers are dropped; the nine nodes wait.
    const waiting = await metric('otelcol_processor_genai_dify_spans_in_memory');
    expect(waiting).toBe(requests.flatMap(spansOf).filter(isNode).length);
    await vi.advanceTimersByTimeAsync(29_000);
    expect(sink.spanCount).toBe(0);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(sink.spanCount).toBe(waiting);
    expect(
      await metric('otelcol_processor_genai_dify_spans_given_up_total', {
        reason: 'wait_duration',
      }),
    ).toBe(waiting);
    expect(await metric('otelcol_processor_genai_dify_spans_in_memory')).toBe(0);
    // The root named the run: the nodes are in its trace (its UUID), without Dify's Opik ids.
    for (const s of sink.spans()) {
      expect(s.traceId).toBe('24f4ff05d1484793aa922e9717630660');
      expect(s.attributes.some((kv) => kv.key === 'opik.trace_id')).toBe(false);
    }
    await processor.shutdown();
  });

  it('holds a message-scoped span of another trace until its message comes', async () => {
    const { processor, sink, metric } = await genai();
    const requests = phoenixUnified(chat);
    const moderation = requests.find((r) => spansOf(r)[0]!.name === 'moderation')!;
    await processor.consume(moderation);
    expect(sink.spanCount).toBe(0);
    for (const r of requests.filter((r) => r !== moderation)) await processor.consume(r);
    const spans = sink.spans();
    const message = spans.find((s) => s.name === 'message')!;
    const mod = spans.find((s) => s.name === 'moderation')!;
    expect(mod.traceId).toBe(message.traceId);
    expect(mod.parentSpanId).toBe(message.spanId);
    expect(await metric('otelcol_processor_genai_dify_spans_released_total')).toBe(
      requests.length - 1,
    );
    await processor.shutdown();
  });
});
