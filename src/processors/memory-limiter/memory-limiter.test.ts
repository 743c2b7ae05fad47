import { describe, expect, it } from 'vitest';
import { RetryableError } from '../../errors/errors.js';
import { makeSpan, makeTraces } from '../../pdata/span.js';
import { processorConfigProblems } from '../../testing/run-processor.js';
import { TestHost, testSettings } from '../../testing/settings.js';
import { TracesSink } from '../../testing/sink.js';
import { memoryLimiterConfigSchema } from './config.js';
import { memoryLimiterProcessorFactory } from './factory.js';
import { limitsFor } from './limits.js';

const MiB = 1024 * 1024;
const traces = makeTraces([
  makeSpan({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), name: 's' }),
]);

function limiter(rss: { value: number }) {
  const config = memoryLimiterConfigSchema.parse({
    check_interval: 60_000,
    limit_mib: 100,
    spike_limit_mib: 0,
    limit_percentage: 0,
    spike_limit_percentage: 0,
  });
  const sink = new TracesSink();
  const create = memoryLimiterProcessorFactory.create as (
    ...a: unknown[]
  ) => ReturnType<typeof memoryLimiterProcessorFactory.create>;
  return {
    sink,
    p: create(testSettings('processor', 'memory_limiter', 'traces'), config, sink, () => rss.value),
  };
}

describe('memory_limiter processor', () => {
  it.each([
    [
      { limit_mib: 100, spike_limit_mib: 0, limit_percentage: 0, spike_limit_percentage: 0 },
      100 * MiB,
      80 * MiB,
    ],
    [
      { limit_mib: 100, spike_limit_mib: 30, limit_percentage: 0, spike_limit_percentage: 0 },
      100 * MiB,
      70 * MiB,
    ],
    [
      { limit_mib: 0, spike_limit_mib: 0, limit_percentage: 50, spike_limit_percentage: 10 },
      500 * MiB,
      400 * MiB,
    ],
  ])('computes the limits from %o', (c, hard, soft) => {
    const limits = limitsFor({ check_interval: 1000, ...c }, () => 1000 * MiB);
    expect([limits.hardBytes, limits.softBytes]).toEqual([hard, soft]);
  });

  it('passes data under the soft limit and refuses it above, with a retry delay', async () => {
    const rss = { value: 50 * MiB };
    const { p, sink } = limiter(rss);
    await p.start(new TestHost());
    await p.consume(traces);
    expect(sink.spanCount).toBe(1);
    rss.value = 90 * MiB;
    await p.shutdown();
    const again = limiter(rss);
    await again.p.start(new TestHost());
    const err = await again.p.consume(traces).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as RetryableError).retryAfterMs).toBe(60_000);
    expect((err as Error).message).toBe('data refused due to high memory usage');
    expect(again.sink.spanCount).toBe(0);
    await again.p.shutdown();
  });

  it.each([
    [
      'no interval',
      'limit_mib: 100',
      ['processors::memory_limiter::check_interval: must be greater than 0 (1s is a good value)'],
    ],
    [
      'no limit',
      'check_interval: 1s',
      ['processors::memory_limiter::limit_mib: set limit_mib or limit_percentage'],
    ],
    [
      'a spike as large as the limit',
      'check_interval: 1s\nlimit_mib: 100\nspike_limit_mib: 100',
      ['processors::memory_limiter::spike_limit_mib: must be smaller than limit_mib'],
    ],
  ])('rejects %s', (_n, yaml, expected) => {
    expect(processorConfigProblems('memory_limiter', yaml)).toEqual(expected);
  });
});
