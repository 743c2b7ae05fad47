/**
 * Trace batches for codec tests. `everyFieldTraces()` sets every field OTLP has, with each kind of
 * attribute value and the awkward numbers (ints past 2^53, negatives, the int64 limits).
 */
import { makeSpan } from '../pdata/span.js';
import type { Attributes, Traces } from '../pdata/traces.js';
import { SpanKind, StatusCode } from '../pdata/traces.js';

export const TRACE_ID = '5b8efff798038103d269b633813fc60c';
export const OTHER_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
export const SPAN_ID = 'eee19b7ec3c1b174';
export const PARENT_SPAN_ID = 'b7ad6b7169203331';
export const OTHER_SPAN_ID = '00f067aa0ba902b7';

/** 2023-11-14T22:13:20.123456789Z: past 2^53 ns, so it only survives as a bigint. */
export const START_NANOS = 1_700_000_000_123_456_789n;
export const END_NANOS = START_NANOS + 1_500_000n;

/** One attribute of each AnyValue kind, plus empty and boundary variants. */
export function everyValueAttributes(): Attributes {
  return [
    { key: 'string', value: 'hello ✓ 世界' },
    { key: 'empty.string', value: '' },
    { key: 'bool.true', value: true },
    { key: 'bool.false', value: false },
    { key: 'int.zero', value: 0n },
    { key: 'int.small', value: 42n },
    { key: 'int.negative', value: -7n },
    { key: 'int.past.2^53', value: 9_007_199_254_740_993n },
    { key: 'int.max', value: 9_223_372_036_854_775_807n },
    { key: 'int.min', value: -9_223_372_036_854_775_808n },
    { key: 'double', value: 3.25 },
    { key: 'double.zero', value: 0 },
    { key: 'double.integral', value: 2 },
    { key: 'double.tiny', value: 1e-300 },
    { key: 'double.nan', value: Number.NaN },
    { key: 'double.inf', value: Number.POSITIVE_INFINITY },
    { key: 'double.-inf', value: Number.NEGATIVE_INFINITY },
    { key: 'bytes', value: new Uint8Array([0, 1, 2, 250, 255]) },
    { key: 'bytes.empty', value: new Uint8Array(0) },
    { key: 'array', value: ['a', 1n, 1.5, true, null, new Uint8Array([7])] },
    { key: 'array.empty', value: [] },
    { key: 'array.nested', value: [['x', ['y']], { kvlist: [{ key: 'k', value: 'v' }] }] },
    {
      key: 'kvlist',
      value: {
        kvlist: [
          { key: 'inner.string', value: 's' },
          { key: 'inner.int', value: -1n },
          { key: 'inner.kvlist', value: { kvlist: [{ key: 'deep', value: [1n, 2n] }] } },
          { key: 'inner.empty', value: null },
        ],
      },
    },
    { key: 'kvlist.empty', value: { kvlist: [] } },
    { key: 'empty.value', value: null },
    { key: '', value: 'empty key' },
    { key: 'string', value: 'duplicate key, kept in order' },
  ];
}

/** Two resources, three scopes, spans using every field; the first span sets all of them. */
export function everyFieldTraces(): Traces {
  const full = makeSpan({
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    parentSpanId: PARENT_SPAN_ID,
    traceState: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
    flags: 0x301,
    name: 'POST /v1/chat-messages',
    kind: SpanKind.SERVER,
    startTimeUnixNano: START_NANOS,
    endTimeUnixNano: END_NANOS,
    attributes: everyValueAttributes(),
    droppedAttributesCount: 3,
    events: [
      {
        timeUnixNano: START_NANOS + 10n,
        name: 'exception',
        attributes: [{ key: 'exception.message', value: 'boom' }],
        droppedAttributesCount: 1,
      },
      { timeUnixNano: 0n, name: '', attributes: [], droppedAttributesCount: 0 },
    ],
    droppedEventsCount: 4,
    links: [
      {
        traceId: OTHER_TRACE_ID,
        spanId: OTHER_SPAN_ID,
        traceState: 'k=v',
        attributes: [{ key: 'link.kind', value: 'follows' }],
        droppedAttributesCount: 2,
        flags: 0x101,
      },
      {
        traceId: '',
        spanId: '',
        traceState: '',
        attributes: [],
        droppedAttributesCount: 0,
        flags: 0,
      },
    ],
    droppedLinksCount: 5,
    status: { code: StatusCode.ERROR, message: 'upstream timed out' },
  });
  const minimal = makeSpan({
    traceId: TRACE_ID,
    spanId: OTHER_SPAN_ID,
    name: 'child',
    kind: SpanKind.UNSPECIFIED,
  });
  const ok = makeSpan({
    traceId: OTHER_TRACE_ID,
    spanId: PARENT_SPAN_ID,
    name: 'ok',
    kind: SpanKind.CLIENT,
    status: { code: StatusCode.OK, message: '' },
    startTimeUnixNano: 1n,
    endTimeUnixNano: 18_446_744_073_709_551_615n,
  });
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: 'dify-api' },
            { key: 'host.cpu.count', value: 8n },
          ],
          droppedAttributesCount: 1,
        },
        schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
        scopeSpans: [
          {
            scope: {
              name: 'dify.workflow',
              version: '1.4.0',
              attributes: [{ key: 'scope.attr', value: true }],
              droppedAttributesCount: 2,
            },
            schemaUrl: 'https://opentelemetry.io/schemas/1.24.0',
            spans: [full, minimal],
          },
          {
            scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 },
            schemaUrl: '',
            spans: [],
          },
        ],
      },
      {
        resource: { attributes: [], droppedAttributesCount: 0 },
        schemaUrl: '',
        scopeSpans: [
          {
            scope: { name: 'other', version: '', attributes: [], droppedAttributesCount: 0 },
            schemaUrl: '',
            spans: [ok],
          },
        ],
      },
    ],
  };
}
