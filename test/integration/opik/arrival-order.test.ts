/**
 * Order independence: a chatflow run, its node rows (posted without the run's start), its
 * moderation and its suggested questions (and a re-send of the moderation), through the real
 * `dify` receiver mapping and the `opik` exporter with `file_storage`, in a seeded sample of 50
 * arrival orders, half of them with a collector restart in the middle: Opik ends in the state the
 * natural order leaves.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Traces } from '../../../src/pdata/traces.js';
import { convertBatch } from '../../../src/receivers/dify/batch.js';
import { type FakeOpik, startFakeOpik } from '../../fake-opik/server.js';
import { chatflowItems } from '../../support/dify-chatflow.js';
import { comparable, startExporter, storageHost } from './harness.js';

const ITEMS = chatflowItems();
const converted = (item: Record<string, unknown>): Traces => convertBatch([{ value: item }]).traces;
const BATCHES: Record<string, Traces> = {
  run: converted(ITEMS.run),
  rows: converted(ITEMS.rows),
  moderation: converted(ITEMS.moderation),
  suggestion: converted(ITEMS.suggestion),
};
const NATURAL = ['run', 'rows', 'moderation', 'suggestion'];
const ARRIVALS = [...NATURAL, 'moderation']; // the moderation is sent twice

const fakes: FakeOpik[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

/** Sends the batches in `order` through a collector that restarts before position `restartAt`. */
async function finalState(order: readonly string[], restartAt?: number) {
  const fake = await startFakeOpik();
  fakes.push(fake);
  const dir = mkdtempSync(join(tmpdir(), 'arrival-'));
  const collector = async () => {
    const host = await storageHost(dir);
    const { exporter } = await startExporter(
      fake,
      {
        detect_id_overrides: false,
        ingestion_window: { check: false },
        trace_id_memory: { storage: 'file_storage' },
      },
      {},
      host,
    );
    return {
      exporter,
      stop: async () => {
        await exporter.shutdown();
        await host.stop();
      },
    };
  };
  let running = await collector();
  for (const [i, name] of order.entries()) {
    if (i === restartAt) {
      await running.stop();
      running = await collector();
    }
    await running.exporter.consume(BATCHES[name]!);
  }
  await running.stop();
  return { traces: comparable(fake.traces()), spans: comparable(fake.spans()) };
}

/** mulberry32: a small seeded generator, so the sample is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((x, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]),
  );
}

const random = seeded(17);
const distinct = [...new Map(permutations(ARRIVALS).map((p) => [p.join(','), p])).values()];
const SAMPLE = distinct
  .map((order) => ({ order, key: random() }))
  .sort((a, b) => a.key - b.key)
  .slice(0, 50)
  .map(({ order }, i) => ({
    order,
    // Every other order restarts the collector at a seeded position between two arrivals.
    restartAt: i % 2 === 1 ? 1 + Math.floor(random() * (order.length - 1)) : undefined,
  }));

describe('opik exporter: the order Dify’s envelopes arrive in does not matter', () => {
  let natural: Awaited<ReturnType<typeof finalState>>;

  it('files the chatflow’s moderation and suggestion under its run, in the natural order', async () => {
    natural = await finalState(NATURAL);
    expect(natural.traces.map((t) => [t.id, t.name])).toEqual([
      ['019ebaf3-cfa3-70b7-a3c9-c9de9689fead', 'message'],
    ]);
    const byName = Object.fromEntries(natural.spans.map((s) => [s.name, s]));
    for (const name of ['moderation', 'suggested_question', 'LLM']) {
      expect(byName[name]).toMatchObject({
        trace_id: '019ebaf3-cfa3-70b7-a3c9-c9de9689fead',
        parent_span_id: '019ebaf3-cfa3-7ab5-b658-8be89e08717d',
      });
    }
    expect(natural.spans).toHaveLength(7);
  });

  it(`leaves the same Opik state for ${SAMPLE.length} arrival orders, with restarts and a re-send`, async () => {
    expect(SAMPLE).toHaveLength(50);
    for (const { order, restartAt } of SAMPLE) {
      const got = await finalState(order, restartAt);
      expect({ order, restartAt, ...got }).toEqual({ order, restartAt, ...natural });
    }
  });

  it('leaves the same state when the moderation and its run wait together in a persistent queue while Opik is down', async () => {
    const fake = await startFakeOpik();
    fakes.push(fake);
    const host = await storageHost(mkdtempSync(join(tmpdir(), 'arrival-')));
    const { exporter } = await startExporter(
      fake,
      {
        detect_id_overrides: false,
        ingestion_window: { check: false },
        sending_queue: { storage: 'file_storage', num_consumers: 4 },
      },
      {},
      host,
    );
    fake.down = true;
    for (const name of ['moderation', 'suggestion', 'rows', 'run'])
      await exporter.consume(BATCHES[name]!);
    fake.down = false;
    const state = () => ({ traces: comparable(fake.traces()), spans: comparable(fake.spans()) });
    for (let i = 0; i < 300 && JSON.stringify(state()) !== JSON.stringify(natural); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await exporter.shutdown();
    await host.stop();
    expect(state()).toEqual(natural);
  });

  it('does not write a moderation under its stand-in once its run moved it, when the moderation’s delivery is retried after the run’s', async () => {
    const fake = await startFakeOpik();
    fakes.push(fake);
    const host = await storageHost(mkdtempSync(join(tmpdir(), 'arrival-')));
    const { exporter } = await startExporter(
      fake,
      {
        detect_id_overrides: false,
        ingestion_window: { check: false },
        timeout: '300ms',
        trace_id_memory: { storage: 'file_storage' },
      },
      {},
      host,
    );
    // The moderation's first request hangs until its attempt times out; the rest goes through.
    fake.fail('traces', 'hang');
    const moderation = exporter.consume(BATCHES.moderation!);
    while (fake.requestsTo('traces').length === 0) await new Promise((r) => setImmediate(r));
    for (const name of ['run', 'rows', 'suggestion']) await exporter.consume(BATCHES[name]!);
    await moderation;
    await exporter.shutdown();
    await host.stop();
    expect({ traces: comparable(fake.traces()), spans: comparable(fake.spans()) }).toEqual(natural);
  });
});
