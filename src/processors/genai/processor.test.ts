import { describe, expect, it } from 'vitest';
import { PhoenixLegacy } from '../../../test/fixtures/genai/dify/phoenix-legacy.js';
import { phoenixLegacy, RUNS } from '../../../test/fixtures/genai/dify/runs.js';
import { RetryableError } from '../../errors/errors.js';
import type { Span, Traces } from '../../pdata/traces.js';
import { TestHost, testSettings } from '../../testing/settings.js';
import { TracesSink } from '../../testing/sink.js';
import { genAiProcessorFactory } from './factory.js';

const chatflow = RUNS.find((r) => r.name === 'a chatflow with an iteration')!;
const spansOf = (t: readonly Traces[]): Span[] =>
  t.flatMap((b) => b.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)));

async function run(config: Record<string, unknown>, requests: readonly Traces[]) {
  const parsed = genAiProcessorFactory.configSchema.parse({
    ...genAiProcessorFactory.createDefaultConfig(),
    ...config,
  });
  const sink = new TracesSink();
  const processor = genAiProcessorFactory.create(
    testSettings('processor', 'genai', 'traces'),
    parsed,
    sink,
  );
  await processor.start(new TestHost());
  for (const r of requests) await processor.consume(r);
  await processor.shutdown();
  return { sink, processor };
}

describe('genai with Dify’s Phoenix spans', () => {
  it('with rebuild_dify_ids off, only drops the bookkeeping spans and rewrites the vocabulary', async () => {
    const requests = phoenixLegacy(chatflow);
    const { sink } = await run({ rebuild_dify_ids: false }, requests);
    const sent = spansOf(requests);
    const out = sink.spans();
    // The synthetic root and the two iteration wrappers are dropped; the rest keep Dify's OTel ids.
    expect(out.map((s) => s.spanId).sort()).toEqual(
      sent
        .filter((s) => s.parentSpanId !== '' && !s.name.startsWith('iteration['))
        .map((s) => s.spanId)
        .sort(),
    );
    expect(out.every((s) => !s.attributes.some((kv) => kv.key === 'openinference.span.kind'))).toBe(
      true,
    );
  });

  it('with drop_dify_helper_spans off, passes the bookkeeping spans on as they came', async () => {
    const provider = new PhoenixLegacy();
    provider.apiCheck(1_781_000_000_000_000_000n);
    const requests = [...provider.requests, ...phoenixLegacy(chatflow)];
    const { sink } = await run({ drop_dify_helper_spans: false }, requests);
    const helpers = spansOf(requests).filter(
      (s) => s.name === 'api_check' || s.parentSpanId === '' || s.name.startsWith('iteration['),
    );
    expect(helpers).toHaveLength(4);
    const out = sink.spans();
    for (const h of helpers)
      expect(out.find((s) => s.spanId === h.spanId)?.traceId).toBe(h.traceId);
    expect(out.filter((s) => s.name === 'workflow')).toHaveLength(1);
  });

  it('passes on, as they came, the spans of a run its mapping cannot read (nothing is lost)', async () => {
    const requests = phoenixLegacy(chatflow).map((t) => ({
      resourceSpans: t.resourceSpans.map((rs) => ({
        ...rs,
        scopeSpans: rs.scopeSpans.map((ss) => ({
          ...ss,
          spans: ss.spans.map((s) =>
            s.name === 'answer_Answer'
              ? {
                  ...s,
                  attributes: s.attributes.map((kv) =>
                    kv.key === 'metadata'
                      ? {
                          key: 'metadata',
                          value: String(kv.value).replace('"status": "succeeded"', '"status": 5'),
                        }
                      : kv,
                  ),
                }
              : s,
          ),
        })),
      })),
    }));
    const { sink } = await run({}, requests);
    const out = sink.spans();
    // The run's span and its nodes go on with the provider's ids; the root and wrappers are dropped.
    expect(out).toHaveLength(10);
    const sentIds = new Set(spansOf(requests).map((s) => s.spanId));
    expect(out.every((s) => sentIds.has(s.spanId))).toBe(true);
  });

  it('refuses data after shutdown, retryably', async () => {
    const { processor } = await run({}, []);
    await expect(processor.consume(phoenixLegacy(chatflow)[0]!)).rejects.toBeInstanceOf(
      RetryableError,
    );
  });
});
