import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { PermanentError } from '../errors/errors.js';
import { makeSpan, makeTraces } from '../pdata/span.js';
import type { AnyValue, Span, Traces } from '../pdata/traces.js';
import {
  END_NANOS,
  everyFieldTraces,
  SPAN_ID,
  START_NANOS,
  TRACE_ID,
} from '../testing/otlp-fixtures.js';
import { NO_LIMITS, Truncations } from './limits.js';
import {
  decodeTracesRequest,
  decodeTracesRequestPaced,
  encodeTracesRequest,
} from './proto-codec.js';
import { ExportTraceServiceRequest } from './proto-schema.js';

/** Encodes a request written as a protobufjs plain object (our own encoder not involved). */
function pb(request: object): Uint8Array {
  return ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(request)).finish();
}

/** A request with one span made of `span` fields, in protobufjs's JSON-ish object form. */
function pbSpan(span: object): Uint8Array {
  return pb({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] });
}

const traceIdB64 = Buffer.from(TRACE_ID, 'hex').toString('base64');
const spanIdB64 = Buffer.from(SPAN_ID, 'hex').toString('base64');

function bytesOfLength(n: number): string {
  return Buffer.alloc(n, 0xab).toString('base64');
}

function oneValue(value: AnyValue): Traces {
  return makeTraces([
    makeSpan({ traceId: TRACE_ID, spanId: SPAN_ID, name: 'v', attributes: [{ key: 'k', value }] }),
  ]);
}

describe('decodeTracesRequest / encodeTracesRequest', () => {
  it('round-trips every field and every AnyValue kind through pdata', () => {
    const traces = everyFieldTraces();
    expect(decodeTracesRequest(encodeTracesRequest(traces))).toEqual(traces);
  });

  it('re-encodes decoded bytes byte for byte', () => {
    const bytes = encodeTracesRequest(everyFieldTraces());
    expect(Buffer.from(encodeTracesRequest(decodeTracesRequest(bytes)))).toEqual(
      Buffer.from(bytes),
    );
  });

  it('writes what an independent protobuf reader sees as the same request', () => {
    const bytes = encodeTracesRequest(everyFieldTraces());
    const obj = ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(bytes), {
      longs: String,
      bytes: String,
    });
    const span = obj.resourceSpans[0].scopeSpans[0].spans[0];
    expect(span.traceId).toBe(traceIdB64);
    expect(span.startTimeUnixNano).toBe(String(START_NANOS));
    expect(span.endTimeUnixNano).toBe(String(END_NANOS));
    expect(span.flags).toBe(0x301);
    expect(span.status).toEqual({ code: 2, message: 'upstream timed out' });
    const attr = (key: string) => span.attributes.find((kv: { key: string }) => kv.key === key);
    expect(attr('int.max').value).toEqual({ intValue: '9223372036854775807' });
    expect(attr('int.min').value).toEqual({ intValue: '-9223372036854775808' });
    expect(attr('int.negative').value).toEqual({ intValue: '-7' });
    expect(attr('empty.string').value).toEqual({ stringValue: '' });
    expect(attr('bytes').value).toEqual({ bytesValue: 'AAEC+v8=' });
    expect(attr('empty.value').value).toEqual({});
  });

  it('reads a request written by another encoder, including explicit defaults', () => {
    const traces = decodeTracesRequest(
      pb({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
            scopeSpans: [
              {
                scope: { name: 'lib', version: '2' },
                spans: [
                  {
                    traceId: traceIdB64,
                    spanId: spanIdB64,
                    name: 'op',
                    kind: 3,
                    startTimeUnixNano: '1700000000000000001',
                    endTimeUnixNano: '1700000000000000002',
                    droppedAttributesCount: 0,
                    status: { code: 0, message: '' },
                    attributes: [{ key: 'n', value: { intValue: '-9000000000000000000' } }],
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(traces).toEqual(
      makeTraces(
        [
          makeSpan({
            traceId: TRACE_ID,
            spanId: SPAN_ID,
            name: 'op',
            kind: 3,
            startTimeUnixNano: 1_700_000_000_000_000_001n,
            endTimeUnixNano: 1_700_000_000_000_000_002n,
            attributes: [{ key: 'n', value: -9_000_000_000_000_000_000n }],
          }),
        ],
        [{ key: 'service.name', value: 'svc' }],
        { name: 'lib', version: '2' },
      ),
    );
  });

  it('gives absent messages their defaults', () => {
    const [rs] = decodeTracesRequest(
      pb({ resourceSpans: [{ scopeSpans: [{ spans: [{}] }] }] }),
    ).resourceSpans;
    expect(rs?.resource).toEqual({ attributes: [], droppedAttributesCount: 0 });
    expect(rs?.scopeSpans[0]?.scope).toEqual({
      name: '',
      version: '',
      attributes: [],
      droppedAttributesCount: 0,
    });
    const span = rs?.scopeSpans[0]?.spans[0] as Span;
    expect(span).toEqual({ ...makeSpan({ traceId: '', spanId: '', name: '' }), kind: 0 });
  });

  it('decodes an empty body as an empty batch', () => {
    expect(decodeTracesRequest(new Uint8Array(0))).toEqual({ resourceSpans: [] });
    expect(encodeTracesRequest({ resourceSpans: [] })).toHaveLength(0);
  });

  it('accepts all-zero ids and passes them through', () => {
    const zeros = { traceId: '0'.repeat(32), spanId: '0'.repeat(16) };
    const traces = makeTraces([makeSpan({ ...zeros, name: 'zero' })]);
    expect(decodeTracesRequest(encodeTracesRequest(traces))).toEqual(traces);
  });

  it('reads a plain Uint8Array as well as a Buffer', () => {
    const bytes = encodeTracesRequest(everyFieldTraces());
    expect(decodeTracesRequest(new Uint8Array(bytes))).toEqual(everyFieldTraces());
  });

  it('copies bytes values out of the request body', () => {
    const body = Buffer.from(encodeTracesRequest(oneValue(new Uint8Array([1, 2, 3]))));
    const value = decodeTracesRequest(body).resourceSpans[0]?.scopeSpans[0]?.spans[0]?.attributes[0]
      ?.value as Uint8Array;
    body.fill(0);
    expect(value).toEqual(new Uint8Array([1, 2, 3]));
    expect(Buffer.isBuffer(value)).toBe(false);
  });

  it('writes an int attribute as int and an integral double as double', () => {
    const asInt = encodeTracesRequest(oneValue(2n));
    const asDouble = encodeTracesRequest(oneValue(2));
    expect(asInt).not.toEqual(asDouble);
    expect(decodeTracesRequest(asInt)).toEqual(oneValue(2n));
    expect(decodeTracesRequest(asDouble)).toEqual(oneValue(2));
  });
});

const spans = 'resourceSpans[0].scopeSpans[0].spans[0]';

describe('decodeTracesRequest rejects invalid input', () => {
  it.each([
    [
      'a truncated body',
      Uint8Array.from([0x0a, 0x05, 0x0a]),
      'invalid protobuf: index out of range: 2 + 5 > 3',
    ],
    [
      'a length past the end',
      Uint8Array.from([0x12, 0x05, 0x01]),
      'invalid protobuf: index out of range: 2 + 5 > 3',
    ],
    [
      'an invalid wire type',
      Uint8Array.from([0x17, 0x01]),
      'invalid protobuf: invalid wire type 7 at offset 0',
    ],
    [
      'field number 0 (a body of NUL bytes)',
      new Uint8Array(1024 * 1024),
      'invalid protobuf: invalid field number 0 at offset 0',
    ],
    [
      'field number 0 inside a span',
      Uint8Array.from([0x0a, 0x06, 0x12, 0x04, 0x12, 0x02, 0x00, 0x00]),
      `invalid protobuf: invalid field number 0 at offset 6`,
    ],
    [
      'a group wire type',
      Uint8Array.from([0x0b, 0x0c]),
      'invalid protobuf: invalid wire type 3 at offset 0',
    ],
    [
      'a 15-byte trace id',
      pbSpan({ traceId: bytesOfLength(15), spanId: spanIdB64 }),
      `${spans}.traceId: expected 16 bytes, got 15`,
    ],
    [
      'a 17-byte trace id',
      pbSpan({ traceId: bytesOfLength(17), spanId: spanIdB64 }),
      `${spans}.traceId: expected 16 bytes, got 17`,
    ],
    [
      'a 4-byte span id',
      pbSpan({ traceId: traceIdB64, spanId: bytesOfLength(4) }),
      `${spans}.spanId: expected 8 bytes, got 4`,
    ],
    [
      'a 16-byte parent span id',
      pbSpan({ traceId: traceIdB64, spanId: spanIdB64, parentSpanId: bytesOfLength(16) }),
      `${spans}.parentSpanId: expected 8 bytes, got 16`,
    ],
    [
      'a short link trace id',
      pbSpan({ links: [{}, { traceId: bytesOfLength(8), spanId: spanIdB64 }] }),
      `${spans}.links[1].traceId: expected 16 bytes, got 8`,
    ],
    [
      'a long link span id',
      pbSpan({ links: [{ traceId: traceIdB64, spanId: bytesOfLength(9) }] }),
      `${spans}.links[0].spanId: expected 8 bytes, got 9`,
    ],
    [
      'an unknown span kind',
      pbSpan({ kind: 9 }),
      `${spans}.kind: expected a SpanKind (0 to 5), got 9`,
    ],
    [
      'an unknown status code',
      pbSpan({ status: { code: 3 } }),
      `${spans}.status.code: expected a StatusCode (0, 1 or 2), got 3`,
    ],
  ])('%s', (_name, bytes, message) => {
    expect(() => decodeTracesRequest(bytes)).toThrow(
      expect.objectContaining({ name: 'PermanentError', code: 'ERR_BAD_REQUEST', message }),
    );
  });

  it('locates errors in later resources, scopes and spans', () => {
    const good = { traceId: traceIdB64, spanId: spanIdB64 };
    const bytes = pb({
      resourceSpans: [
        { scopeSpans: [{ spans: [good] }] },
        { scopeSpans: [{}, { spans: [good, good, good, { ...good, spanId: bytesOfLength(7) }] }] },
      ],
    });
    expect(() => decodeTracesRequest(bytes)).toThrow(
      'resourceSpans[1].scopeSpans[1].spans[3].spanId: expected 8 bytes, got 7',
    );
  });

  it('refuses values nested past the depth limit, naming where', () => {
    // Built by hand: protobufjs's own fromObject refuses to build something this deep.
    const field = (tag: number, bytes: Uint8Array) =>
      protobuf.Writer.create().uint32(tag).bytes(bytes).finish();
    const deep = (levels: number) => {
      let value = field(0x0a, Buffer.from('leaf')); // AnyValue.string_value
      for (let i = 0; i < levels; i++) value = field(0x2a, field(0x0a, value)); // array_value.values
      const keyValue = Buffer.concat([field(0x0a, Buffer.from('deep')), field(0x12, value)]);
      return field(0x0a, field(0x12, field(0x12, field(0x4a, keyValue))));
    };
    const limits = { ...NO_LIMITS, maxDepth: 3 };
    expect(() => decodeTracesRequest(deep(3), limits)).not.toThrow();
    expect(() => decodeTracesRequest(deep(4), limits)).toThrow(
      expect.objectContaining({
        code: 'ERR_BAD_REQUEST',
        message: `${spans}.attributes[0].value.arrayValue.values[0].arrayValue.values[0].arrayValue.values[0]: nested deeper than 3 levels (limits::max_depth)`,
      }),
    );
    // Without limits, nesting is still bounded: 4,000 levels never reach the stack's edge.
    expect(() => decodeTracesRequest(deep(4000))).toThrow(/nested deeper than 128 levels/);
  });

  it('takes a known field sent with another wire type as an unknown field, as Go does', () => {
    const field = (tag: number, bytes: Uint8Array) =>
      protobuf.Writer.create().uint32(tag).bytes(bytes).finish();
    const span = Uint8Array.from([0x08, 0x05, 0x2a, 0x01, 0x78]); // trace_id as a varint, name "x"
    const bytes = field(0x0a, field(0x12, field(0x12, span)));
    const decoded = decodeTracesRequest(bytes).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect([decoded.traceId, decoded.name]).toEqual(['', 'x']);
  });

  it('never fails with anything but ERR_BAD_REQUEST on corrupted bytes', () => {
    const good = encodeTracesRequest(everyFieldTraces());
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const outcomes = { decoded: 0, rejected: 0 };
    for (let i = 0; i < 2000; i++) {
      const bytes = Uint8Array.from(good).subarray(
        0,
        i % 3 === 0 ? random(good.length) : undefined,
      );
      for (let k = 0; k < 1 + random(4); k++) bytes[random(bytes.length)] = random(256);
      try {
        decodeTracesRequest(bytes);
        outcomes.decoded++;
      } catch (err) {
        expect(err).toBeInstanceOf(PermanentError);
        expect((err as PermanentError).code).toBe('ERR_BAD_REQUEST');
        outcomes.rejected++;
      }
    }
    expect(outcomes.rejected).toBeGreaterThan(0);
  });

  it('throws PermanentError so the receiver answers 400 and the client does not retry', () => {
    expect(() => decodeTracesRequest(Uint8Array.from([0xff]))).toThrow(PermanentError);
  });
});

describe('encodeTracesRequest rejects pdata that breaks its rules', () => {
  it.each([
    [
      'a short trace id',
      makeSpan({ traceId: 'abc', spanId: SPAN_ID, name: 'x' }),
      `${spans}.traceId: expected 32 hex characters, got 3`,
    ],
    [
      'a non-hex span id',
      makeSpan({ traceId: TRACE_ID, spanId: 'zzzzzzzzzzzzzzzz', name: 'x' }),
      `${spans}.spanId: expected 16 hex characters, got "zzzzzzzzzzzzzzzz"`,
    ],
    [
      'a negative time',
      makeSpan({ traceId: TRACE_ID, spanId: SPAN_ID, name: 'x', startTimeUnixNano: -1n }),
      `${spans}.startTimeUnixNano: expected an unsigned 64-bit integer, got -1`,
    ],
    [
      'an int past int64 inside a kvlist inside an array',
      makeSpan({
        traceId: TRACE_ID,
        spanId: SPAN_ID,
        name: 'x',
        attributes: [
          { key: 'ok', value: 1n },
          { key: 'bad', value: ['x', { kvlist: [{ key: 'big', value: 1n << 63n }] }] },
        ],
      }),
      `${spans}.attributes[1].value.arrayValue.values[1].kvlistValue.values[0].value.intValue: ` +
        `expected a 64-bit integer, got ${1n << 63n}`,
    ],
  ])('%s', (_name, span, message) => {
    expect(() => encodeTracesRequest(makeTraces([span]))).toThrow(
      expect.objectContaining({
        name: 'PermanentError',
        code: 'ERR_PIPELINE_FAILED',
        message: `cannot encode traces: ${message}`,
      }),
    );
  });
});

describe('decoding with limits', () => {
  const big = () =>
    makeTraces(
      Array.from({ length: 3 }, (_, i) =>
        makeSpan({
          traceId: TRACE_ID,
          spanId: SPAN_ID,
          name: `span ${i}`,
          attributes: [
            { key: 'a', value: 'x'.repeat(10) },
            { key: 'b', value: ['1', '2', '3', '4'] },
            {
              key: 'c',
              value: { kvlist: [1, 2, 3].map((n) => ({ key: `k${n}`, value: BigInt(n) })) },
            },
            { key: 'd', value: new Uint8Array(9) },
            { key: 'e', value: 'é'.repeat(6) },
          ],
          droppedAttributesCount: 1,
        }),
      ),
    );
  const limits = {
    maxSpans: 3,
    maxAttributes: 4,
    maxValueLength: 5,
    maxArrayLength: 2,
    maxDepth: 8,
  };

  it('cuts strings, bytes, arrays and attribute lists, counting what it cut', () => {
    const cut = new Truncations();
    const span = decodeTracesRequest(encodeTracesRequest(big()), limits, cut).resourceSpans[0]!
      .scopeSpans[0]!.spans[0]!;
    expect(span.attributes).toEqual([
      { key: 'a', value: 'xxxxx' },
      { key: 'b', value: ['1', '2'] },
      {
        key: 'c',
        value: {
          kvlist: [
            { key: 'k1', value: 1n },
            { key: 'k2', value: 2n },
          ],
        },
      },
      { key: 'd', value: new Uint8Array(5) },
    ]);
    // One attribute over the limit, added to the one the sender had dropped already.
    expect(span.droppedAttributesCount).toBe(2);
    expect(span.name).toBe('span ');
    // Per span: the name, `a` and `d` cut; `b` and `c` shortened; `e` dropped.
    expect({ ...cut }).toEqual({ attributes: 3, values: 9, arrays: 6 });
  });

  it('refuses a request with more spans than max_spans_per_request', () => {
    expect(() =>
      decodeTracesRequest(encodeTracesRequest(big()), { ...limits, maxSpans: 2 }),
    ).toThrow(
      expect.objectContaining({
        code: 'ERR_TOO_MANY_SPANS',
        message:
          'the request holds more than 2 spans (limits::max_spans_per_request); send smaller batches',
      }),
    );
  });

  it('decodes in slices to exactly what it decodes at once', async () => {
    const bytes = encodeTracesRequest(everyFieldTraces());
    expect(await decodeTracesRequestPaced(bytes, NO_LIMITS, new Truncations())).toEqual(
      decodeTracesRequest(bytes),
    );
    await expect(
      decodeTracesRequestPaced(Uint8Array.from([0xff]), NO_LIMITS, new Truncations()),
    ).rejects.toThrow(PermanentError);
  });
});
