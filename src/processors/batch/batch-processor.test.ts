import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TracesConsumer } from '../../component/types.js';
import { PermanentError, RetryableError } from '../../errors/errors.js';
import { spanCount } from '../../pdata/count.js';
import { makeSpan, makeTraces } from '../../pdata/span.js';
import type { Traces } from '../../pdata/traces.js';
import { testSettings } from '../../testing/settings.js';
import { TracesSink } from '../../testing/sink.js';
import { createBatchProcessor } from './batch-processor.js';
import type { BatchConfig } from './config.js';

let nextId = 0;
/** A batch of `n` spans with unique ids. */
function spans(n: number): Traces {
  return makeTraces(
    Array.from({ length: n }, () => {
      nextId += 1;
      return makeSpan({
        traceId: 'a'.repeat(32),
        spanId: nextId.toString(16).padStart(16, '0'),
        name: `s${nextId}`,
      });
    }),
  );
}

/** A downstream whose every `consume` waits until the test settles it. */
class GatedSink implements TracesConsumer {
  readonly calls: Array<{ spans: number; resolve(): void; reject(err: unknown): void }> = [];
  consume(traces: Traces): Promise<void> {
    return new Promise((resolve, reject) => {
      this.calls.push({ spans: spanCount(traces), resolve, reject });
    });
  }
}

type State = { state: 'pending' } | { state: 'resolved' } | { state: 'rejected'; error: unknown };
function track(p: Promise<void>): { readonly current: State } {
  const box: { current: State } = { current: { state: 'pending' } };
  p.then(
    () => {
      box.current = { state: 'resolved' };
    },
    (error: unknown) => {
      box.current = { state: 'rejected', error };
    },
  );
  return box;
}

const settle = () => vi.advanceTimersByTimeAsync(0);

function processor(config: Partial<BatchConfig>, next: TracesConsumer) {
  const settings = testSettings('processor', 'batch', 'traces');
  const full: BatchConfig = {
    send_batch_size: 10,
    send_batch_max_size: 0,
    timeout: 1000,
    ...config,
  };
  return { p: createBatchProcessor(settings, full, next), telemetry: settings.telemetry };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('batch processor', () => {
  it('holds spans below send_batch_size and sends them together once it is reached', async () => {
    const sink = new TracesSink();
    const { p } = processor({ send_batch_size: 10 }, sink);
    const first = track(p.consume(spans(4)));
    await settle();
    expect(sink.batches).toHaveLength(0);
    expect(first.current.state).toBe('pending');
    const second = track(p.consume(spans(6)));
    await settle();
    expect(sink.batches.map(spanCount)).toEqual([10]);
    expect(first.current.state).toBe('resolved');
    expect(second.current.state).toBe('resolved');
  });

  it('sends what it holds when the timeout expires, measured from the first held span', async () => {
    const sink = new TracesSink();
    const { p } = processor({ send_batch_size: 100, timeout: 1000 }, sink);
    const first = track(p.consume(spans(3)));
    await vi.advanceTimersByTimeAsync(600);
    const second = track(p.consume(spans(2)));
    await vi.advanceTimersByTimeAsync(399);
    expect(sink.batches).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(sink.batches.map(spanCount)).toEqual([5]);
    expect([first.current.state, second.current.state]).toEqual(['resolved', 'resolved']);
  });

  it('resolves a caller only when the downstream accepted its batch', async () => {
    const gate = new GatedSink();
    const { p } = processor({ send_batch_size: 5 }, gate);
    const caller = track(p.consume(spans(5)));
    await settle();
    expect(gate.calls).toHaveLength(1);
    expect(caller.current.state).toBe('pending');
    gate.calls[0]!.resolve();
    await settle();
    expect(caller.current.state).toBe('resolved');
  });

  it('rejects every caller of a failed batch with its error and leaves other batches alone', async () => {
    const gate = new GatedSink();
    const { p } = processor({ send_batch_size: 4 }, gate);
    const a = track(p.consume(spans(2)));
    const b = track(p.consume(spans(2)));
    const c = track(p.consume(spans(4)));
    await settle();
    const refused = new RetryableError('ERR_EXPORT_FAILED', 'queue full', { retryAfterMs: 500 });
    gate.calls[0]!.reject(refused);
    gate.calls[1]!.resolve();
    await settle();
    expect(a.current).toEqual({ state: 'rejected', error: refused });
    expect(b.current).toEqual({ state: 'rejected', error: refused });
    expect(c.current.state).toBe('resolved');
  });

  it('makes a caller split over two batches wait for both, and fail if either fails', async () => {
    const gate = new GatedSink();
    const { p } = processor({ send_batch_size: 4, send_batch_max_size: 4 }, gate);
    const caller = track(p.consume(spans(6)));
    await settle();
    // 4 go at once; the tail of 2 is below the trigger and waits for the timer.
    expect(gate.calls.map((c) => c.spans)).toEqual([4]);
    gate.calls[0]!.resolve();
    await vi.advanceTimersByTimeAsync(1000);
    expect(gate.calls.map((c) => c.spans)).toEqual([4, 2]);
    expect(caller.current.state).toBe('pending');
    const rejected = new PermanentError('ERR_EXPORT_REJECTED', 'bad span');
    gate.calls[1]!.reject(rejected);
    await settle();
    expect(caller.current).toEqual({ state: 'rejected', error: rejected });
  });

  it.each([
    // [send_batch_size, send_batch_max_size, timeout, inputs, batches sent at once]
    [10, 0, 1000, [25], [25]],
    [10, 10, 1000, [25], [10, 10]],
    [10, 15, 1000, [8, 8], [15]],
    [10, 15, 1000, [9, 30], [15, 15]], // the tail of 9 waits for the timer
    [5, 0, 0, [2, 3], [2, 3]],
    [5, 4, 0, [9], [4, 4, 1]],
    [0, 0, 1000, [1, 1], [1, 1]],
  ])(
    'with size %i, max %i, timeout %i: inputs %j are sent as %j',
    async (size, max, timeout, inputs, sent) => {
      const sink = new TracesSink();
      const { p } = processor({ send_batch_size: size, send_batch_max_size: max, timeout }, sink);
      const callers = inputs.map((n) => p.consume(spans(n)));
      await settle();
      expect(sink.batches.map(spanCount)).toEqual(sent);
      await p.shutdown();
      await Promise.all(callers);
    },
  );

  it('keeps span order and never mutates the batches it was given', async () => {
    const sink = new TracesSink();
    const { p } = processor({ send_batch_size: 4, send_batch_max_size: 4 }, sink);
    const inputs = [spans(3), spans(3), spans(2)];
    const copies = structuredClone(inputs);
    await Promise.all(inputs.map((t) => p.consume(t)));
    expect(inputs).toEqual(copies);
    const names = (ts: Traces[]) =>
      ts.flatMap((t) => t.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
    expect(sink.spans().map((s) => s.name)).toEqual(names(inputs).map((s) => s.name));
    expect(sink.batches.map(spanCount)).toEqual([4, 4]);
  });

  it('resolves at once for a batch without spans and sends nothing', async () => {
    const sink = new TracesSink();
    const { p } = processor({}, sink);
    await p.consume({ resourceSpans: [] });
    expect(sink.batches).toHaveLength(0);
  });

  it('flushes what it holds on shutdown, waits for the downstream, then refuses new data', async () => {
    const gate = new GatedSink();
    const { p } = processor({ send_batch_size: 100 }, gate);
    const caller = track(p.consume(spans(3)));
    const stopped = track(p.shutdown());
    await settle();
    expect(gate.calls.map((c) => c.spans)).toEqual([3]);
    expect(stopped.current.state).toBe('pending');
    gate.calls[0]!.reject(new RetryableError('ERR_EXPORT_FAILED', 'down'));
    await settle();
    expect(stopped.current.state).toBe('resolved');
    expect(caller.current.state).toBe('rejected');
    await expect(p.consume(spans(1))).rejects.toMatchObject({ code: 'ERR_SHUTTING_DOWN' });
    await expect(p.shutdown()).resolves.toBeUndefined();
  });

  it('passes a synchronous throw from the downstream to the caller as a rejection', async () => {
    const boom = new Error('boom');
    const next: TracesConsumer = {
      consume: () => {
        throw boom;
      },
    };
    const { p } = processor({ timeout: 0 }, next);
    await expect(p.consume(spans(1))).rejects.toBe(boom);
  });

  it('does not let its timer keep the process alive', async () => {
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const { p } = processor({ send_batch_size: 100 }, new TracesSink());
    const caller = p.consume(spans(1));
    const timer = setTimeoutSpy.mock.results[0]?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    await p.shutdown();
    await caller;
  });
});

describe('batch processor metrics', () => {
  it('counts items, batch sizes and what triggered each send, under the Collector names', async () => {
    const sink = new TracesSink();
    const { p, telemetry } = processor({ send_batch_size: 4, send_batch_max_size: 4 }, sink);
    const callers = [p.consume(spans(9))];
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all(callers);
    const value = async (name: string) =>
      (await telemetry.registry.getSingleMetric(name)!.get()).values;
    expect(await value('otelcol_processor_batch_batch_size_trigger_send_total')).toEqual([
      { value: 2, labels: { processor: 'batch' } },
    ]);
    expect(await value('otelcol_processor_batch_timeout_trigger_send_total')).toEqual([
      { value: 1, labels: { processor: 'batch' } },
    ]);
    const text = await telemetry.registry.getSingleMetricAsString(
      'otelcol_processor_batch_batch_send_size',
    );
    expect(text).toContain(
      'otelcol_processor_batch_batch_send_size_bucket{le="10",processor="batch"} 3',
    );
    expect(text).toContain(
      'otelcol_processor_batch_batch_send_size_bucket{le="100000",processor="batch"} 3',
    );
    expect(text).toContain('otelcol_processor_batch_batch_send_size_sum{processor="batch"} 9');
    expect(text).toContain('otelcol_processor_batch_batch_send_size_count{processor="batch"} 3');
    const items = { processor: 'batch', pipeline: 'traces' };
    expect(await value('otelcol_processor_incoming_items_total')).toEqual([
      { value: 9, labels: items },
    ]);
    expect(await value('otelcol_processor_outgoing_items_total')).toEqual([
      { value: 9, labels: items },
    ]);
  });
});
