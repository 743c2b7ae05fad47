/**
 * A poisoned span between good ones, through the whole chain with a persistent queue (SQLite):
 * an exporter that reads JSON text in attributes overflows its stack on one span on every
 * attempt; the queue must keep flowing, the good spans arrive, the bad one is dead-lettered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { attributesFrom } from '../pdata/attributes.js';
import { makeSpan, makeTraces } from '../pdata/span.js';
import { eachSpan } from '../pdata/split.js';
import type { Traces } from '../pdata/traces.js';
import { testSettings } from '../testing/settings.js';
import { hostWithFileStorage, metricValue } from '../testing/storage-host.js';
import { buildChain } from './chain.js';
import { sendingQueueSchema } from './queue/config.js';
import { senderOf } from './sender.js';

/** JSON text a receiver takes (a 24 KB string) that no recursive JSON writer can write back. */
const DEEP_JSON = `${'['.repeat(12_000)}${']'.repeat(12_000)}`;

const span = (name: string, input = '"hi"') =>
  makeSpan({
    traceId: 'a'.repeat(32),
    spanId: name.padStart(16, '0'),
    name,
    attributes: attributesFrom({ input }),
  });
const names = (t: Traces) => [...eachSpan(t)].map((s) => s.span.name);

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

describe('a poisoned span in a persistent queue', () => {
  it('is found and dead-lettered with its reason while every good span is delivered', async () => {
    const { host, storage } = await hostWithFileStorage();
    const settings = testSettings('exporter', 'x');
    const delivered: string[] = [];
    const dead: Array<{ names: string[]; reason: string }> = [];
    const chain = buildChain<Traces>({
      settings,
      queue: {
        config: sendingQueueSchema.parse({
          enabled: true,
          num_consumers: 1,
          queue_size: 100,
          sizer: 'requests',
          block_on_overflow: false,
          drop_policy: 'refuse',
          storage: 'file_storage',
        }),
        deadLetter: async (t, reason) => {
          dead.push({ names: names(t), reason });
        },
      },
      prepare: async (t) => t,
      failedSpans: () => 0,
      // The push expands JSON text into values and writes them out, as Opik's mapping does.
      primary: senderOf(async (t: Traces) => {
        for (const { span: s } of eachSpan(t)) {
          JSON.stringify(JSON.parse(String(s.attributes[0]!.value)));
        }
        delivered.push(...names(t));
      }),
      timeoutMs: 1000,
      retry: {
        enabled: true,
        initialIntervalMs: 5,
        randomizationFactor: 0,
        multiplier: 1,
        maxIntervalMs: 5,
        maxElapsedTimeMs: 0, // retried forever: only the split keeps the queue going
      },
    });
    await chain.start(host);
    stops.push(
      () => chain.shutdown(),
      () => storage.shutdown(),
    );
    const never = new AbortController().signal;
    await chain.send(makeTraces([span('a1'), span('a2')]), never);
    await chain.send(makeTraces([span('b1'), span('bad', DEEP_JSON), span('b2')]), never);
    await chain.send(makeTraces([span('c1')]), never);

    await expect.poll(() => delivered.length, { timeout: 5000 }).toBe(5);
    expect(delivered.sort()).toEqual(['a1', 'a2', 'b1', 'b2', 'c1']);
    expect(dead).toEqual([
      {
        names: ['bad'],
        reason: 'given up: failed twice in a row the same way: Maximum call stack size exceeded',
      },
    ]);
    await expect
      .poll(() => storage.queueStore({ kind: 'exporter', id: 'x' }).totals)
      .toEqual({
        requests: 0,
        items: 0,
        bytes: 0,
      });
    expect(await metricValue(settings, 'otelcol_exporter_dead_lettered_spans_total')).toBe(1);
    expect(await metricValue(settings, 'otelcol_exporter_sent_spans_total')).toBe(5);
    expect(await metricValue(settings, 'otelcol_exporter_send_failed_spans_total')).toBe(1);
  });
});
