/**
 * The hold kept in `file_storage` (a real SQLite file): what was acknowledged survives a crash and
 * waits on after the restart with its deadline, records go once their spans were accepted
 * downstream, and a store that cannot write refuses the request instead of losing it.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { phoenixLegacy, phoenixUnified, RUNS } from '../../../../test/fixtures/genai/dify/runs.js';
import type { Span, Traces } from '../../../pdata/traces.js';
import { StorageUnavailableError } from '../../../storage/unavailable.js';
import { testSettings } from '../../../testing/settings.js';
import { TracesSink } from '../../../testing/sink.js';
import { hostWithFileStorage, metricValue } from '../../../testing/storage-host.js';
import { mountTmpfs, type Tmpfs } from '../../../testing/tmpfs.js';
import { genAiProcessorFactory } from '../factory.js';

const chatflow = RUNS.find((r) => r.name === 'a chatflow with an iteration')!;
const chat = RUNS.find((r) => r.name === 'a chat message with moderation and suggestions')!;

const spansOf = (t: Traces): Span[] =>
  t.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
const isRunSpan = (t: Traces) => spansOf(t).some((s) => s.name.startsWith('workflow_'));
const isNode = (s: Span) => s.attributes.some((kv) => kv.key === 'dify.node.execution_id');
const byId = (spans: Span[]) => [...spans].sort((a, b) => a.spanId.localeCompare(b.spanId));

const stopped: Array<{ shutdown(): Promise<void> }> = [];
let disk: Tmpfs | undefined;
afterEach(async () => {
  vi.useRealTimers();
  for (const c of stopped.splice(0)) await c.shutdown();
  disk?.unmount();
  disk = undefined;
});

/** A genai processor whose hold is kept in `file_storage` on `directory` (memory only without). */
async function genai(directory?: string | null, hold: Record<string, unknown> = {}) {
  const settings = testSettings('processor', 'genai', 'traces');
  const defaults = genAiProcessorFactory.createDefaultConfig() as {
    dify_hold: Record<string, unknown>;
  };
  const config = genAiProcessorFactory.configSchema.parse({
    ...defaults,
    dify_hold: {
      ...defaults.dify_hold,
      ...(directory === null ? {} : { storage: 'file_storage' }),
      ...hold,
    },
  });
  const { host, storage, directory: dir } = await hostWithFileStorage(directory ?? undefined);
  const sink = new TracesSink();
  const processor = genAiProcessorFactory.create(settings, config, sink);
  await processor.start(host);
  stopped.push(processor, storage);
  const rows = (table: string) => {
    const db = new Database(join(dir, 'processor_genai_traces.db'), { readonly: true });
    try {
      return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  return { processor, sink, settings, host, directory: dir, rows };
}

/** What an uninterrupted collector (memory only) makes of `requests`. */
async function uninterrupted(requests: readonly Traces[]): Promise<Span[]> {
  const { processor, sink } = await genai(null);
  for (const r of requests) await processor.consume(r);
  await processor.shutdown();
  return byId(sink.spans());
}

describe('the hold in file_storage', () => {
  it('after a crash, releases the stored nodes with their run as an uninterrupted run does', async () => {
    const requests = phoenixLegacy(chatflow);
    const runAt = requests.findIndex(isRunSpan);
    const first = await genai();
    for (const r of requests.slice(0, runAt)) await first.processor.consume(r);
    expect(first.sink.spanCount).toBe(0);
    const held = await metricValue(first.settings, 'otelcol_processor_genai_dify_spans_in_memory');
    expect(held).toBeGreaterThan(5);
    expect(first.rows('hold_spans')).toBe(held);
    // The crash: the first processor is never shut down; a second one opens the same file.
    const second = await genai(first.directory);
    expect(await metricValue(second.settings, 'otelcol_processor_genai_dify_spans_in_memory')).toBe(
      held,
    );
    for (const r of requests.slice(runAt)) await second.processor.consume(r);
    expect(byId(second.sink.spans())).toEqual(await uninterrupted(requests));
    expect(
      await metricValue(second.settings, 'otelcol_processor_genai_dify_spans_released_total'),
    ).toBe(held + 1);
    // Accepted downstream: the records are gone.
    expect(second.rows('hold_spans')).toBe(0);
  });

  it('keeps what waits over a shutdown, for the next start', async () => {
    const requests = phoenixLegacy(chatflow);
    const runAt = requests.findIndex(isRunSpan);
    const first = await genai();
    for (const r of requests.slice(0, runAt)) await first.processor.consume(r);
    await first.processor.shutdown();
    expect(first.sink.spanCount).toBe(0);
    const second = await genai(first.directory);
    for (const r of requests.slice(runAt)) await second.processor.consume(r);
    expect(byId(second.sink.spans())).toEqual(await uninterrupted(requests));
  });

  it('remembers runs and messages over a crash, for spans that come after them', async () => {
    const requests = phoenixUnified(chat);
    const suggestion = requests.findIndex((r) => spansOf(r)[0]!.name === 'suggested_question');
    expect(suggestion).toBe(requests.length - 1);
    const first = await genai();
    for (const r of requests.slice(0, suggestion)) await first.processor.consume(r);
    expect(first.rows('hold_anchors')).toBeGreaterThan(0);
    const second = await genai(first.directory);
    await second.processor.consume(requests[suggestion]!);
    const expected = await uninterrupted(requests);
    expect(second.sink.spans()).toEqual(expected.filter((s) => s.name === 'suggested_question'));
    expect(
      await metricValue(second.settings, 'otelcol_processor_genai_dify_spans_released_total'),
    ).toBe(1);
  });

  it('releases at once, as given up after wait_duration, what waited past its deadline while down', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const requests = phoenixLegacy(chatflow).filter((r) => !isRunSpan(r));
    const first = await genai(undefined, { wait_duration: '30s' });
    for (const r of requests) await first.processor.consume(r);
    const held = await metricValue(first.settings, 'otelcol_processor_genai_dify_spans_in_memory');
    vi.setSystemTime(Date.now() + 60_000);
    const second = await genai(first.directory, { wait_duration: '30s' });
    await vi.advanceTimersByTimeAsync(1);
    expect(second.sink.spanCount).toBe(held);
    expect(
      await metricValue(second.settings, 'otelcol_processor_genai_dify_spans_given_up_total', {
        reason: 'wait_duration',
      }),
    ).toBe(held);
    // As the wait ends without a crash: under the run the root named.
    for (const s of second.sink.spans()) expect(s.traceId).toBe('24f4ff05d1484793aa922e9717630660');
    expect(second.rows('hold_spans')).toBe(0);
    expect(second.rows('hold_groups')).toBe(0);
  });

  it('stays within num_traces on disk too: what the bound pushes out is forgotten once accepted', async () => {
    const { processor, sink, settings, rows } = await genai(undefined, { num_traces: 20 });
    for (let run = 0; run < 60; run++) {
      for (const r of phoenixLegacy(chatflow).filter((r) => !isRunSpan(r))) {
        await processor.consume(r);
      }
      expect(rows('hold_groups')).toBeLessThanOrEqual(20);
      expect(rows('hold_spans')).toBe(
        await metricValue(settings, 'otelcol_processor_genai_dify_spans_in_memory'),
      );
    }
    expect(sink.spanCount).toBeGreaterThan(0);
  });

  it('keeps the records of spans refused downstream, which wait again and go with the next request', async () => {
    const requests = phoenixLegacy(chatflow);
    const runAt = requests.findIndex(isRunSpan);
    const { processor, sink, rows } = await genai();
    for (const r of requests.slice(0, runAt)) await processor.consume(r);
    const held = rows('hold_spans');
    sink.failWith = new StorageUnavailableError('the queue is full', new Error('disk full'));
    await expect(processor.consume(requests[runAt]!)).rejects.toThrow('the queue is full');
    // The nodes' records stay; the run's span waits with them now (stored too), until it is sent again.
    expect(rows('hold_spans')).toBe(held + 1);
    sink.failWith = undefined;
    await processor.consume(requests[runAt]!);
    for (const r of requests.slice(runAt + 1)) await processor.consume(r);
    expect(byId(sink.spans())).toEqual(await uninterrupted(requests));
    expect(rows('hold_spans')).toBe(0);
  });

  it('answers 503 (retryable) when the disk is full, and stores the refused span with the next write', async () => {
    disk = mountTmpfs(1024);
    const requests = phoenixLegacy(chatflow);
    const runAt = requests.findIndex(isRunSpan);
    const { processor, sink, settings, host, rows } = await genai(disk.dir);
    // Fill the disk with the store's own records until a write is refused.
    const bulk = requests.find((r) => spansOf(r).some(isNode))!;
    let refusal: unknown;
    for (let i = 0; i < 10_000 && !refusal; i++) {
      const span = spansOf(bulk)[0]!;
      const copy: Traces = {
        resourceSpans: bulk.resourceSpans.map((rs) => ({
          ...rs,
          scopeSpans: rs.scopeSpans.map((ss) => ({
            ...ss,
            spans: [
              {
                ...span,
                traceId: i.toString(16).padStart(32, 'f'),
                attributes: [...span.attributes, { key: 'bulk', value: 'x'.repeat(4000) }],
              },
            ],
          })),
        })),
      };
      refusal = await processor.consume(copy).then(
        () => undefined,
        (e: unknown) => e,
      );
    }
    expect(refusal).toBeInstanceOf(StorageUnavailableError);
    expect(refusal).toMatchObject({ code: 'ERR_STORAGE_UNAVAILABLE', retryAfterMs: 5000 });
    expect(
      await metricValue(settings, 'otelcol_processor_genai_dify_storage_write_failures_total'),
    ).toBe(1);
    expect(host.reports.at(-1)?.state).toBe('recoverable_error');
    const stored = rows('hold_spans');
    // The refused span waits in memory (its sender sends it again), not acknowledged, not stored.
    expect(await metricValue(settings, 'otelcol_processor_genai_dify_spans_in_memory')).toBe(
      stored + 1,
    );
    disk.resize(4096);
    for (const r of requests.slice(0, runAt)) await processor.consume(r);
    expect(host.reports.at(-1)?.state).toBe('ok');
    // The refused span was stored on the next write, with the run's nodes.
    const nodes = requests.slice(0, runAt).flatMap(spansOf).filter(isNode).length;
    expect(rows('hold_spans')).toBe(stored + 1 + nodes);
    expect(sink.spanCount).toBe(0);
  });
});
