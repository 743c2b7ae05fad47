import { describe, expect, it } from 'vitest';
import { hexToBytes, opikIdFromOtel } from '../../opik-ids/otel.js';
import { attributesFrom } from '../../pdata/attributes.js';
import { makeSpan, makeTraces } from '../../pdata/span.js';
import { eachSpan } from '../../pdata/split.js';
import type { Traces } from '../../pdata/traces.js';
import type { IdStore } from '../../storage/id-store.js';
import { memoryIdStore } from '../../storage/memory-id-store.js';
import { assignedIds, assignIds } from './assign-ids.js';

const TRACE = '5b8efff798038103d269b633813fc60c';
const ms = (n: number) => BigInt(n) * 1_000_000n;
const span = (spanId: string, parentSpanId: string, startMs: number, attrs = {}) =>
  makeSpan({
    traceId: TRACE,
    spanId,
    parentSpanId,
    name: spanId,
    startTimeUnixNano: ms(startMs),
    attributes: attributesFrom(attrs),
  });
const store = () => memoryIdStore({ ttlMs: 3_600_000, maxEntries: 10, namespace: 'p' });
/** Each span's Opik ids, as `assignIds` wrote them on. */
const idsOf = async (traces: Traces, ids: IdStore) =>
  [...eachSpan(await assignIds(traces, ids))].map(({ span }) => ({ ids: assignedIds(span) }));

describe('assignIds', () => {
  it('derives ids as Opik does: the earliest start of the first batch, then span and parent ids', async () => {
    const ids = await idsOf(
      makeTraces([
        span('eee19b7ec3c1b174', '', 1767225600200),
        span('00000000000000aa', 'eee19b7ec3c1b174', 1767225600123),
      ]),
      store(),
    );
    expect(ids.map((i) => i.ids)).toEqual([
      {
        traceId: '019b76da-a87b-7c4b-aaa2-e4ea076c6c6d',
        spanId: '019b76da-a87b-7284-b6af-5fa6ee032c97',
        parentSpanId: null,
      },
      {
        traceId: '019b76da-a87b-7c4b-aaa2-e4ea076c6c6d',
        spanId: opikIdFromOtel(hexToBytes('00000000000000aa'), 1767225600123),
        parentSpanId: '019b76da-a87b-7284-b6af-5fa6ee032c97',
      },
    ]);
  });

  it('keeps the trace of a later batch together through the timestamp memory', async () => {
    const memory = store();
    const [first] = await idsOf(
      makeTraces([span('00000000000000aa', 'eee19b7ec3c1b174', 1767225600123)]),
      memory,
    );
    const [later] = await idsOf(makeTraces([span('eee19b7ec3c1b174', '', 1767225600000)]), memory);
    expect(later!.ids.traceId).toBe(first!.ids.traceId);
    expect(later!.ids.spanId).toBe(first!.ids.parentSpanId);
  });

  it('keeps the Opik ids a receiver set, lowercased, and ignores invalid ones', async () => {
    const [s] = await idsOf(
      makeTraces([
        span('eee19b7ec3c1b174', '', 1767225600123, {
          'opik.trace_id': '019EBAF3-CFA3-70B7-A3C9-C9DE9689FEAD',
          'opik.span_id': 'not-a-uuid',
          'opik.parent_span_id': '019ebaf3-cfa3-7ab5-b658-8be89e08717d',
        }),
      ]),
      store(),
    );
    expect(s!.ids).toEqual({
      traceId: '019ebaf3-cfa3-70b7-a3c9-c9de9689fead',
      spanId: opikIdFromOtel(hexToBytes('eee19b7ec3c1b174'), 0x019ebaf3cfa3),
      parentSpanId: '019ebaf3-cfa3-7ab5-b658-8be89e08717d',
    });
  });
});

describe('assignIds with explicit ids', () => {
  const SPAN_OPIK = '019ebaf3-cfa3-7ab5-b658-8be89e08717d';
  const TRACE_OPIK = '019ebaf3-cfa3-70b7-a3c9-c9de9689fead';
  const root = span('eee19b7ec3c1b174', '', 1767225600123, {
    'opik.trace_id': TRACE_OPIK,
    'opik.span_id': SPAN_OPIK,
  });
  const node = span('00000000000000aa', 'eee19b7ec3c1b174', 1767225600200, {
    'opik.span_id': '019ebaf3-cfb4-7b02-b561-86426bc98cea',
  });

  it('gives later spans of a trace the trace and parent ids its earlier spans stated', async () => {
    const memory = store();
    await idsOf(makeTraces([root]), memory);
    const [later] = await idsOf(makeTraces([node]), memory);
    expect(later!.ids).toEqual({
      traceId: TRACE_OPIK,
      spanId: '019ebaf3-cfb4-7b02-b561-86426bc98cea',
      parentSpanId: SPAN_OPIK,
    });
  });
});

describe('assignIds: spans that wait for their trace', () => {
  const TRACE_OPIK = '019ebaf3-cfa3-70b7-a3c9-c9de9689fead';
  const ROOT_OPIK = '019ebaf3-cfa3-7ab5-b658-8be89e08717d';
  const NODE_OPIK = '019ebaf3-cfb4-7b02-b561-86426bc98cea';
  const root = span('eee19b7ec3c1b174', '', 1767225600123, {
    'opik.trace_id': TRACE_OPIK,
    'opik.span_id': ROOT_OPIK,
  });
  // States its own Opik id only: its run's start (and so its trace's id) was unknown to the receiver.
  const node = span('00000000000000aa', 'eee19b7ec3c1b174', 1767225600200, {
    'opik.span_id': NODE_OPIK,
  });
  const stamped = async (traces: Traces, ids: IdStore) =>
    [...eachSpan(await assignIds(traces, ids))].map(({ span: s }) => s);

  it('files a waiting span under a stand-in, then moves it under its trace when the trace is stated', async () => {
    const memory = store();
    const [early] = await stamped(makeTraces([node]), memory);
    const standIn = assignedIds(early!).traceId;
    expect(standIn).not.toBe(TRACE_OPIK);
    const later = await stamped(makeTraces([root]), memory);
    expect(later.map((s) => s.name)).toEqual(['eee19b7ec3c1b174', '00000000000000aa']);
    expect(assignedIds(later[1]!)).toEqual({
      traceId: TRACE_OPIK,
      spanId: NODE_OPIK,
      parentSpanId: ROOT_OPIK,
    });
    expect(later[1]!.attributes.at(-1)).toEqual({
      key: 'opik.moved_from_trace_id',
      value: [standIn],
    });
    // Moved once: the next batch that states the trace finds nothing parked.
    expect(await stamped(makeTraces([root]), memory)).toHaveLength(1);
  });

  it('parks nothing for a span whose trace is known, nor for one that states its parent', async () => {
    const memory = store();
    await stamped(makeTraces([root]), memory);
    const withParent = span('00000000000000bb', 'eee19b7ec3c1b174', 1767225600300, {
      'opik.span_id': '019ebaf3-cfb4-7b02-b561-86426bc98ceb',
      'opik.parent_span_id': ROOT_OPIK,
    });
    await stamped(makeTraces([node, withParent]), memory);
    expect(await memory.takeParked([TRACE])).toEqual(new Map());
  });
});
