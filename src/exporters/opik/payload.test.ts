import { describe, expect, it } from 'vitest';
import { attributesFrom } from '../../pdata/attributes.js';
import { makeSpan, makeTraces } from '../../pdata/span.js';
import type { Traces } from '../../pdata/traces.js';
import { memoryIdStore } from '../../storage/memory-id-store.js';
import { assignIds } from './assign-ids.js';
import { type PrepareOptions, preparePayload } from './payload.js';
import { RecentIds } from './recent-ids.js';

const ms = (n: number) => BigInt(n) * 1_000_000n;
const T0 = Date.parse('2026-11-20T10:00:00.000Z');
const options = (recent = new RecentIds(10)) => ({
  projectName: 'P',
  adjust: () => {},
  recentTraceRows: recent,
});
/** The batch with its Opik ids assigned (a fresh id store each time), then mapped. */
const prepare = async (traces: Traces, o: PrepareOptions) =>
  preparePayload(
    await assignIds(traces, memoryIdStore({ ttlMs: 1000, maxEntries: 10, namespace: 'P' })),
    o,
  );
const child = (spanId: string, startMs: number, traceId = 'a'.repeat(32)) =>
  makeSpan({
    traceId,
    spanId,
    parentSpanId: 'f'.repeat(16),
    name: `c${spanId}`,
    startTimeUnixNano: ms(startMs),
    endTimeUnixNano: ms(startMs + 1),
  });

describe('preparePayload', () => {
  it('gives a trace without its top-level span a placeholder row that loses every upsert', async () => {
    const p = await prepare(
      makeTraces([child('1'.repeat(16), T0 + 5), child('2'.repeat(16), T0 + 2)]),
      options(),
    );
    expect(p.traces).toEqual([
      {
        opik: {
          id: p.spans[0]!.opik.trace_id,
          project_name: 'P',
          name: `c${'2'.repeat(16)}`,
          start_time: '2026-11-20T10:00:00.002Z',
          source: 'sdk',
          last_updated_at: '1970-01-01T00:00:00.000Z',
        },
        placeholder: true,
        done: false,
      },
    ]);
  });

  it('sends no placeholder for a trace whose real row went out lately', async () => {
    const recent = new RecentIds(10);
    const first = await prepare(makeTraces([child('1'.repeat(16), T0)]), options(recent));
    recent.add(first.traces[0]!.opik.id);
    const again = await prepare(makeTraces([child('1'.repeat(16), T0)]), options(recent));
    expect(again.traces).toEqual([]);
  });

  it('lets the earliest of two top-level spans of one trace stand for the trace', async () => {
    const root = (id: string, start: number, name: string) =>
      makeSpan({
        traceId: 'b'.repeat(32),
        spanId: id,
        name,
        startTimeUnixNano: ms(start),
        endTimeUnixNano: ms(start + 9),
      });
    const p = await prepare(
      makeTraces([root('1'.repeat(16), T0 + 3, 'late'), root('2'.repeat(16), T0, 'early')]),
      options(),
    );
    expect(p.traces.map((t) => [t.opik.name, t.placeholder])).toEqual([['early', false]]);
  });

  it('sets aside items whose id lies outside the ingestion window, keeping the others', async () => {
    const old = makeSpan({
      traceId: 'c'.repeat(32),
      spanId: '3'.repeat(16),
      name: 'old',
      startTimeUnixNano: ms(T0 - 2 * 86_400_000),
      attributes: attributesFrom({}),
    });
    const p = await prepare(makeTraces([old, child('4'.repeat(16), T0)]), {
      ...options(),
      window: { ms: 86_400_000, now: () => T0 },
    });
    expect(p.spans.map((s) => [s.opik.name, s.done])).toEqual([
      ['old', true],
      [`c${'4'.repeat(16)}`, false],
    ]);
    expect(p.refused.map((r) => [r.kind, r.item.name])).toEqual([
      ['span', 'old'],
      ['trace', 'old'],
    ]);
    expect(p.deadLetteredSpans).toBe(1);
  });
});
