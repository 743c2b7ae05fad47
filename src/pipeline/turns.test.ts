import { describe, expect, it } from 'vitest';
import type { TracesConsumer } from '../component/types.js';
import { RetryableError } from '../errors/errors.js';
import { spanCount } from '../pdata/count.js';
import { makeSpan, makeTraces } from '../pdata/span.js';
import type { Traces } from '../pdata/traces.js';
import { inTurns } from './turns.js';

const spans = (n: number) =>
  makeTraces(
    Array.from({ length: n }, (_, i) =>
      makeSpan({
        traceId: 'a'.repeat(32),
        spanId: (i + 1).toString(16).padStart(16, '0'),
        name: `s${i}`,
      }),
    ),
  );

/** Records each batch, and whether the event loop turned (a macrotask ran) since the last one. */
function recorder(fail?: (n: number) => boolean) {
  const seen: { spans: number; turned: boolean }[] = [];
  let turned = false;
  const tick = () => {
    turned = true;
    if (seen.length < 100) setImmediate(tick);
  };
  setImmediate(tick);
  const consumer: TracesConsumer = {
    async consume(traces: Traces) {
      seen.push({ spans: spanCount(traces), turned });
      turned = false;
      if (fail?.(seen.length)) throw new RetryableError('ERR_PIPELINE_REFUSED', 'full');
    },
  };
  return { seen, consumer };
}

describe('inTurns', () => {
  it('hands a small request on as it is', async () => {
    const { seen, consumer } = recorder();
    const batch = spans(3);
    let got: Traces | undefined;
    const keep: TracesConsumer = {
      async consume(t) {
        got = t;
      },
    };
    await inTurns(keep, 4).consume(batch);
    expect(got).toBe(batch);
    await inTurns(consumer, 4).consume(batch);
    expect(seen.map((s) => s.spans)).toEqual([3]);
  });

  it('hands a large request on in parts, in order, with a turn of the event loop between them', async () => {
    const { seen, consumer } = recorder();
    const received: string[] = [];
    const names: TracesConsumer = {
      async consume(t) {
        for (const s of t.resourceSpans[0]!.scopeSpans[0]!.spans) received.push(s.name);
        await consumer.consume(t);
      },
    };
    await inTurns(names, 4).consume(spans(10));
    expect(seen.map((s) => s.spans)).toEqual([4, 4, 2]);
    expect(seen.slice(1).every((s) => s.turned)).toBe(true);
    expect(received).toEqual(Array.from({ length: 10 }, (_, i) => `s${i}`));
  });

  it('answers with the refusal of a part and sends no part after it', async () => {
    const { seen, consumer } = recorder((n) => n === 2);
    await expect(inTurns(consumer, 4).consume(spans(12))).rejects.toThrow('full');
    expect(seen.map((s) => s.spans)).toEqual([4, 4]);
  });

  it('keeps what the consumer says about wire batches', () => {
    expect(inTurns({ takesWire: true, consume: async () => {} }).takesWire).toBe(true);
    expect(inTurns({ consume: async () => {} }).takesWire).toBeUndefined();
  });
});
