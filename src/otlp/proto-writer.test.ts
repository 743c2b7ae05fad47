import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { makeSpan, makeTraces } from '../pdata/span.js';
import type { Span, Traces } from '../pdata/traces.js';
import { everyFieldTraces, SPAN_ID, TRACE_ID } from '../testing/otlp-fixtures.js';
import { encodeWithProtobufjs } from '../testing/protobufjs-traces.js';
import { decodeTracesRequest, encodeTracesRequest } from './proto-codec.js';
import { ReverseWriter } from './proto-writer.js';

/** A batch big enough to make the writer grow its 64 KiB scratch buffer several times. */
function bigBatch(spans: number): Traces {
  const list: Span[] = [];
  for (let i = 0; i < spans; i++) {
    list.push(
      makeSpan({
        traceId: TRACE_ID,
        spanId: SPAN_ID,
        name: `span ${i} ${'é'.repeat(i % 7)}`,
        startTimeUnixNano: 1_700_000_000_000_000_000n + BigInt(i),
        attributes: [
          { key: 'i', value: BigInt(i) },
          { key: 'neg', value: BigInt(-i) },
          { key: 'text', value: 'x'.repeat(i % 300) },
          { key: 'd', value: i / 3 },
        ],
      }),
    );
  }
  return makeTraces(list, [{ key: 'service.name', value: 'big' }]);
}

describe('the protobuf writer', () => {
  it('writes the same bytes as protobufjs for every field and value kind', () => {
    const traces = everyFieldTraces();
    expect(Buffer.from(encodeTracesRequest(traces))).toEqual(
      Buffer.from(encodeWithProtobufjs(traces)),
    );
  });

  it('writes the same bytes as protobufjs for a batch larger than its scratch buffer', () => {
    const traces = bigBatch(1200);
    const bytes = encodeTracesRequest(traces);
    expect(bytes.length).toBeGreaterThan(256 * 1024);
    expect(Buffer.from(bytes)).toEqual(Buffer.from(encodeWithProtobufjs(traces)));
    expect(decodeTracesRequest(bytes)).toEqual(traces);
  });

  it('returns an independent copy, not its reused scratch buffer', () => {
    const first = encodeTracesRequest(everyFieldTraces());
    const copy = Buffer.from(first);
    encodeTracesRequest(bigBatch(10));
    expect(Buffer.from(first)).toEqual(copy);
  });

  it('starts clean after an encode that failed half way', () => {
    const bad = makeTraces([makeSpan({ traceId: TRACE_ID, spanId: 'not hex!', name: 'x' })]);
    expect(() => encodeTracesRequest(bad)).toThrow();
    const traces = everyFieldTraces();
    expect(Buffer.from(encodeTracesRequest(traces))).toEqual(
      Buffer.from(encodeWithProtobufjs(traces)),
    );
  });

  it.each([
    [0, 0],
    [1, 0],
    [127, 0],
    [128, 0],
    [16_383, 0],
    [16_384, 0],
    [0xffff_ffff, 0],
    [0, 1],
    [0xffff_ffff, 0x7fff_ffff],
    [0xffff_ffff, 0xffff_ffff],
    [0, 0x8000_0000],
  ])('writes the varint of lo=%i hi=%i as protobufjs does', (lo, hi) => {
    const w = new ReverseWriter(4);
    w.uint64(lo, hi);
    const long = new protobuf.util.LongBits(lo, hi).toLong(true);
    const expected = protobuf.Writer.create().uint64(long).finish();
    expect(Buffer.from(w.finish())).toEqual(Buffer.from(expected));
  });

  it('writes strings with multi-byte characters that decode back unchanged', () => {
    const names = [
      '日本語のスパン',
      'emoji 🚀 span',
      'mixed é and 𝄞',
      `${'x'.repeat(40)}✓`,
      `${'long '.repeat(20)}é`,
      'ascii then é',
    ];
    const traces = makeTraces(
      names.map((name) => makeSpan({ traceId: TRACE_ID, spanId: SPAN_ID, name })),
    );
    expect(decodeTracesRequest(encodeTracesRequest(traces))).toEqual(traces);
    expect(Buffer.from(encodeTracesRequest(traces))).toEqual(
      Buffer.from(encodeWithProtobufjs(traces)),
    );
  });

  it('writes a lone surrogate as U+FFFD, as Node does', () => {
    const traces = makeTraces([makeSpan({ traceId: TRACE_ID, spanId: SPAN_ID, name: 'a\ud800b' })]);
    const span = decodeTracesRequest(encodeTracesRequest(traces)).resourceSpans[0]?.scopeSpans[0]
      ?.spans[0];
    expect(span?.name).toBe('a\ufffdb');
  });

  it('accepts upper-case hex ids and writes their bytes', () => {
    const traces = makeTraces([
      makeSpan({ traceId: TRACE_ID.toUpperCase(), spanId: SPAN_ID.toUpperCase(), name: 'x' }),
    ]);
    const span = decodeTracesRequest(encodeTracesRequest(traces)).resourceSpans[0]?.scopeSpans[0]
      ?.spans[0];
    expect([span?.traceId, span?.spanId]).toEqual([TRACE_ID, SPAN_ID]);
  });
});
