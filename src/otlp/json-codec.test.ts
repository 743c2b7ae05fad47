import { describe, expect, it } from 'vitest';
import { makeSpan, makeTraces } from '../pdata/span.js';
import type { AnyValue, Traces } from '../pdata/traces.js';
import { everyFieldTraces, SPAN_ID, TRACE_ID } from '../testing/otlp-fixtures.js';
import { NO_LIMITS } from './limits.js';

const MAX_VALUE_DEPTH = NO_LIMITS.maxDepth;

import { decodeTracesJson, encodeTracesJson } from './json-codec.js';

/** A request with one span made of `span`'s members, as OTLP/JSON text. */
function jsonSpan(span: object): string {
  return JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] });
}

/** A request whose only span has the attribute `{"key":"k","value":value}`. */
function jsonValue(value: unknown): string {
  return jsonSpan({ attributes: [{ key: 'k', value }] });
}

function firstValue(traces: Traces): AnyValue | undefined {
  return traces.resourceSpans[0]?.scopeSpans[0]?.spans[0]?.attributes[0]?.value;
}

function oneValue(value: AnyValue): Traces {
  return makeTraces([
    makeSpan({ traceId: TRACE_ID, spanId: SPAN_ID, name: 'v', attributes: [{ key: 'k', value }] }),
  ]);
}

describe('decodeTracesJson', () => {
  it('reads a request shaped like the OTLP specification example', () => {
    const body = `{
      "resourceSpans": [{
        "resource": { "attributes": [{ "key": "service.name", "value": { "stringValue": "checkout" } }] },
        "scopeSpans": [{
          "scope": {
            "name": "checkout.instrumentation",
            "version": "0.3.1",
            "attributes": [{ "key": "scope.kind", "value": { "stringValue": "manual" } }]
          },
          "spans": [{
            "traceId": "5B8EFFF798038103D269B633813FC60C",
            "spanId": "EEE19B7EC3C1B174",
            "parentSpanId": "EEE19B7EC3C1B173",
            "name": "charge card",
            "startTimeUnixNano": "1544712660000000000",
            "endTimeUnixNano": "1544712661000000000",
            "kind": 2,
            "attributes": [{ "key": "card.network", "value": { "stringValue": "visa" } }]
          }]
        }]
      }]
    }`;
    expect(decodeTracesJson(body)).toEqual(
      makeTraces(
        [
          makeSpan({
            traceId: TRACE_ID,
            spanId: SPAN_ID,
            parentSpanId: 'eee19b7ec3c1b173',
            name: 'charge card',
            startTimeUnixNano: 1_544_712_660_000_000_000n,
            endTimeUnixNano: 1_544_712_661_000_000_000n,
            kind: 2,
            attributes: [{ key: 'card.network', value: 'visa' }],
          }),
        ],
        [{ key: 'service.name', value: 'checkout' }],
        {
          name: 'checkout.instrumentation',
          version: '0.3.1',
          attributes: [{ key: 'scope.kind', value: 'manual' }],
        },
      ),
    );
  });

  it('accepts snake_case names, enum names, null for absent and unknown fields', () => {
    const body = JSON.stringify({
      resource_spans: [
        {
          resource: { attributes: null, dropped_attributes_count: '2', schemaUrl: 'misplaced' },
          scope_spans: [
            {
              scope: null,
              schema_url: 'https://example.com/schema',
              spans: [
                {
                  trace_id: TRACE_ID,
                  span_id: SPAN_ID,
                  parent_span_id: null,
                  trace_state: 'a=b',
                  name: 'snake',
                  kind: 'SPAN_KIND_CONSUMER',
                  start_time_unix_nano: 1_000,
                  end_time_unix_nano: '2000',
                  dropped_attributes_count: 1,
                  dropped_events_count: 2,
                  dropped_links_count: 3,
                  status: { code: 'STATUS_CODE_ERROR', message: 'bad' },
                  events: [{ time_unix_nano: '5', name: 'e', dropped_attributes_count: 4 }],
                  links: [{ trace_id: TRACE_ID, span_id: SPAN_ID, trace_state: 't', flags: 1 }],
                  somethingNew: { nested: [1, 2, 3] },
                },
              ],
            },
          ],
        },
      ],
      futureTopLevelField: true,
    });
    const span = makeSpan({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceState: 'a=b',
      name: 'snake',
      kind: 5,
      startTimeUnixNano: 1000n,
      endTimeUnixNano: 2000n,
      droppedAttributesCount: 1,
      droppedEventsCount: 2,
      droppedLinksCount: 3,
      status: { code: 2, message: 'bad' },
      events: [{ timeUnixNano: 5n, name: 'e', attributes: [], droppedAttributesCount: 4 }],
      links: [
        {
          traceId: TRACE_ID,
          spanId: SPAN_ID,
          traceState: 't',
          attributes: [],
          droppedAttributesCount: 0,
          flags: 1,
        },
      ],
    });
    const traces = decodeTracesJson(body);
    expect(traces).toEqual({
      resourceSpans: [
        {
          resource: { attributes: [], droppedAttributesCount: 2 },
          schemaUrl: '',
          scopeSpans: [
            {
              scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 },
              schemaUrl: 'https://example.com/schema',
              spans: [span],
            },
          ],
        },
      ],
    });
  });

  it.each<[string, unknown, AnyValue]>([
    ['a string', { stringValue: 's' }, 's'],
    ['an empty string', { stringValue: '' }, ''],
    ['a bool', { boolValue: false }, false],
    ['an int as a string', { intValue: '-9223372036854775808' }, -(2n ** 63n)],
    ['an int as a number', { intValue: 42 }, 42n],
    ['a double', { doubleValue: 0.5 }, 0.5],
    ['a double in a string', { doubleValue: '1e3' }, 1000],
    ['NaN', { doubleValue: 'NaN' }, Number.NaN],
    ['Infinity', { doubleValue: 'Infinity' }, Number.POSITIVE_INFINITY],
    ['-Infinity', { doubleValue: '-Infinity' }, Number.NEGATIVE_INFINITY],
    ['base64 bytes', { bytesValue: 'AAEC+v8=' }, new Uint8Array([0, 1, 2, 250, 255])],
    ['URL-safe unpadded bytes', { bytesValue: 'AAEC-v8' }, new Uint8Array([0, 1, 2, 250, 255])],
    ['an array', { arrayValue: { values: [{ intValue: '1' }, {}] } }, [1n, null]],
    ['an empty array', { arrayValue: {} }, []],
    [
      'a kvlist',
      { kvlistValue: { values: [{ key: 'a', value: { boolValue: true } }] } },
      { kvlist: [{ key: 'a', value: true }] },
    ],
    ['an empty kvlist', { kvlistValue: {} }, { kvlist: [] }],
    [
      'snake_case members',
      { kvlist_value: { values: [{ key: 'b', value: { int_value: 1 } }] } },
      { kvlist: [{ key: 'b', value: 1n }] },
    ],
    ['no member', {}, null],
    ['a null member', { stringValue: null }, null],
    ['an unknown member', { futureValue: 1 }, null],
  ])('reads %s', (_name, value, expected) => {
    expect(firstValue(decodeTracesJson(jsonValue(value)))).toEqual(expected);
  });

  it('reads a null value as an empty one', () => {
    expect(firstValue(decodeTracesJson(jsonValue(null)))).toBeNull();
  });

  it('reads a UTF-8 body given as bytes', () => {
    const body = Buffer.from(jsonValue({ stringValue: 'grüße ✓' }));
    expect(firstValue(decodeTracesJson(new Uint8Array(body)))).toBe('grüße ✓');
  });

  it('reads an empty object as an empty batch', () => {
    expect(decodeTracesJson('{}')).toEqual({ resourceSpans: [] });
  });

  it('accepts all-zero and empty ids', () => {
    const span = decodeTracesJson(jsonSpan({ traceId: '0'.repeat(32), spanId: '' }))
      .resourceSpans[0]?.scopeSpans[0]?.spans[0];
    expect(span?.traceId).toBe('0'.repeat(32));
    expect(span?.spanId).toBe('');
  });
});

describe('encodeTracesJson', () => {
  it('writes what the Collector writes: defaults left out, resource, scope and status kept', () => {
    const traces = makeTraces([
      makeSpan({ traceId: TRACE_ID, spanId: SPAN_ID, name: 'x', startTimeUnixNano: 5n }),
    ]);
    expect(encodeTracesJson(traces)).toBe(
      '{"resourceSpans":[{"resource":{},"scopeSpans":[{"scope":{},"spans":[' +
        `{"traceId":"${TRACE_ID}","spanId":"${SPAN_ID}","name":"x","kind":1,` +
        '"startTimeUnixNano":"5","status":{}}]}]}]}',
    );
  });

  it.each<[string, AnyValue, string]>([
    ['a string', 'a"b', '{"stringValue":"a\\"b"}'],
    ['an int as a decimal string', -(2n ** 63n), '{"intValue":"-9223372036854775808"}'],
    ['an integral double as a number', 2, '{"doubleValue":2}'],
    ['NaN as a string', Number.NaN, '{"doubleValue":"NaN"}'],
    ['-Infinity as a string', Number.NEGATIVE_INFINITY, '{"doubleValue":"-Infinity"}'],
    ['a bool', true, '{"boolValue":true}'],
    ['bytes as base64', new Uint8Array([0, 1, 2, 250, 255]), '{"bytesValue":"AAEC+v8="}'],
    ['an array', ['a', null], '{"arrayValue":{"values":[{"stringValue":"a"},{}]}}'],
    ['an empty array', [], '{"arrayValue":{}}'],
    [
      'a kvlist',
      { kvlist: [{ key: 'k', value: 1n }] },
      '{"kvlistValue":{"values":[{"key":"k","value":{"intValue":"1"}}]}}',
    ],
    ['an empty kvlist', { kvlist: [] }, '{"kvlistValue":{}}'],
    ['an empty value', null, '{}'],
  ])('writes %s', (_name, value, expected) => {
    const json = encodeTracesJson(oneValue(value));
    expect(json).toContain(`"attributes":[{"key":"k","value":${expected}}]`);
    expect(decodeTracesJson(json)).toEqual(oneValue(value));
  });

  it('writes an empty batch as an empty object', () => {
    expect(encodeTracesJson({ resourceSpans: [] })).toBe('{}');
  });

  it('round-trips every field and every AnyValue kind, text-stable', () => {
    const json = encodeTracesJson(everyFieldTraces());
    expect(decodeTracesJson(json)).toEqual(everyFieldTraces());
    expect(encodeTracesJson(decodeTracesJson(json))).toBe(json);
  });

  it('lowercases upper-case ids written by a processor', () => {
    const traces = makeTraces([
      makeSpan({ traceId: TRACE_ID.toUpperCase(), spanId: SPAN_ID, name: 'x' }),
    ]);
    expect(encodeTracesJson(traces)).toContain(`"traceId":"${TRACE_ID}"`);
  });

  it('rejects pdata that breaks its rules, naming the place', () => {
    const traces = makeTraces([makeSpan({ traceId: TRACE_ID, spanId: 'x', name: 'x' })]);
    expect(() => encodeTracesJson(traces)).toThrow(
      expect.objectContaining({
        code: 'ERR_PIPELINE_FAILED',
        message:
          'cannot encode traces: resourceSpans[0].scopeSpans[0].spans[0].spanId: ' +
          'expected 16 hex characters, got 1',
      }),
    );
  });
});

const span0 = 'resourceSpans[0].scopeSpans[0].spans[0]';
const attr0 = `${span0}.attributes[0].value`;

function deeplyNested(levels: number): unknown {
  let value: unknown = { stringValue: 'leaf' };
  for (let i = 0; i < levels; i++) value = { arrayValue: { values: [value] } };
  return value;
}

describe('decodeTracesJson rejects invalid input', () => {
  it.each<[string, string, string]>([
    [
      'text that is not JSON',
      'not json',
      `invalid JSON: Unexpected token 'o', "not json" is not valid JSON`,
    ],
    ['a cut-off body', '{"resourceSpans":', 'invalid JSON: Unexpected end of JSON input'],
    ['a top-level array', '[]', 'expected a JSON object at the top level'],
    ['a top-level string', '"x"', 'expected a JSON object at the top level'],
    [
      'resourceSpans as an object',
      '{"resourceSpans":{}}',
      'resourceSpans: expected an array, got object',
    ],
    [
      'a span that is not an object',
      JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [[]] }] }] }),
      `${span0}: expected an object, got array`,
    ],
    [
      'a 31-character trace id',
      jsonSpan({ traceId: TRACE_ID.slice(1) }),
      `${span0}.traceId: expected 32 hex characters, got 31`,
    ],
    [
      'a non-hex trace id',
      jsonSpan({ traceId: 'g'.repeat(32) }),
      `${span0}.traceId: expected 32 hex characters, got "${'g'.repeat(32)}"`,
    ],
    [
      'a base64 trace id',
      jsonSpan({ traceId: 'W47/95gDgQPSabYzgT/GDA==' }),
      `${span0}.traceId: expected 32 hex characters, got 24`,
    ],
    [
      'a numeric trace id',
      jsonSpan({ traceId: 12 }),
      `${span0}.traceId: expected a hex string, got number`,
    ],
    [
      'a 15-character span id',
      jsonSpan({ spanId: SPAN_ID.slice(1) }),
      `${span0}.spanId: expected 16 hex characters, got 15`,
    ],
    [
      'a 32-character parent span id',
      jsonSpan({ parentSpanId: TRACE_ID }),
      `${span0}.parentSpanId: expected 16 hex characters, got 32`,
    ],
    [
      'a short link trace id',
      jsonSpan({ links: [{ traceId: 'abcd' }] }),
      `${span0}.links[0].traceId: expected 32 hex characters, got 4`,
    ],
    [
      'a bad link span id',
      jsonSpan({ links: [{}, { spanId: 'xyz' }] }),
      `${span0}.links[1].spanId: expected 16 hex characters, got 3`,
    ],
    ['a numeric name', jsonSpan({ name: 5 }), `${span0}.name: expected a string, got number`],
    [
      'an unknown kind name',
      jsonSpan({ kind: 'SPAN_KIND_WEIRD' }),
      `${span0}.kind: expected a SpanKind (0 to 5 or a SPAN_KIND_* name), got "SPAN_KIND_WEIRD"`,
    ],
    [
      'an out-of-range kind',
      jsonSpan({ kind: 9 }),
      `${span0}.kind: expected a SpanKind (0 to 5 or a SPAN_KIND_* name), got 9`,
    ],
    [
      'an unknown status code',
      jsonSpan({ status: { code: 'STATUS_CODE_FINE' } }),
      `${span0}.status.code: expected a StatusCode (0 to 2 or a STATUS_CODE_* name), got "STATUS_CODE_FINE"`,
    ],
    [
      'a status that is a string',
      jsonSpan({ status: 'ERROR' }),
      `${span0}.status: expected an object, got string`,
    ],
    [
      'a fractional time',
      jsonSpan({ startTimeUnixNano: 1.5 }),
      `${span0}.startTimeUnixNano: expected an unsigned 64-bit integer, got 1.5`,
    ],
    [
      'a negative time',
      jsonSpan({ endTimeUnixNano: '-1' }),
      `${span0}.endTimeUnixNano: expected an unsigned 64-bit integer, got "-1"`,
    ],
    [
      'a time past 64 bits',
      jsonSpan({ startTimeUnixNano: '18446744073709551616' }),
      `${span0}.startTimeUnixNano: expected an unsigned 64-bit integer, got "18446744073709551616"`,
    ],
    [
      'a negative count',
      jsonSpan({ droppedAttributesCount: -1 }),
      `${span0}.droppedAttributesCount: expected an unsigned 32-bit integer, got -1`,
    ],
    [
      'flags past 32 bits',
      jsonSpan({ flags: 2 ** 32 }),
      `${span0}.flags: expected an unsigned 32-bit integer, got 4294967296`,
    ],
    [
      'attributes as an object',
      jsonSpan({ attributes: {} }),
      `${span0}.attributes: expected an array, got object`,
    ],
    [
      'a numeric key',
      jsonSpan({ attributes: [{ key: 1 }] }),
      `${span0}.attributes[0].key: expected a string, got number`,
    ],
    ['a value that is a string', jsonValue('plain'), `${attr0}: expected an object, got string`],
    [
      'a fractional int',
      jsonValue({ intValue: '1.5' }),
      `${attr0}.intValue: expected a 64-bit integer, got "1.5"`,
    ],
    [
      'an int past int64',
      jsonValue({ intValue: '9223372036854775808' }),
      `${attr0}.intValue: expected a 64-bit integer, got "9223372036854775808"`,
    ],
    [
      'a bool in a string',
      jsonValue({ boolValue: 'true' }),
      `${attr0}.boolValue: expected a boolean, got string`,
    ],
    [
      'a double that is a word',
      jsonValue({ doubleValue: 'lots' }),
      `${attr0}.doubleValue: expected a number, got "lots"`,
    ],
    [
      'bytes that are not base64',
      jsonValue({ bytesValue: '%%%' }),
      `${attr0}.bytesValue: expected base64, got "%%%"`,
    ],
    [
      'a bad value inside an array',
      jsonValue({ arrayValue: { values: [{}, { intValue: 'x' }] } }),
      `${attr0}.arrayValue.values[1].intValue: expected a 64-bit integer, got "x"`,
    ],
    [
      'a bad value inside a kvlist',
      jsonValue({ kvlistValue: { values: [{ key: 'a', value: { stringValue: 1 } }] } }),
      `${attr0}.kvlistValue.values[0].value.stringValue: expected a string, got number`,
    ],
    [
      'values nested too deep',
      jsonValue(deeplyNested(MAX_VALUE_DEPTH + 1)),
      `${attr0}${'.arrayValue.values[0]'.repeat(MAX_VALUE_DEPTH)}.arrayValue: nested deeper than ${MAX_VALUE_DEPTH} levels (limits::max_depth)`,
    ],
    [
      'a bad event time',
      jsonSpan({ events: [{ timeUnixNano: 'soon' }] }),
      `${span0}.events[0].timeUnixNano: expected an unsigned 64-bit integer, got "soon"`,
    ],
    [
      'a bad resource attribute',
      JSON.stringify({
        resourceSpans: [{ resource: { attributes: [{ key: 'a', value: { intValue: true } }] } }],
      }),
      'resourceSpans[0].resource.attributes[0].value.intValue: expected a 64-bit integer, got boolean',
    ],
    [
      'a bad scope name',
      JSON.stringify({ resourceSpans: [{}, { scopeSpans: [{}, { scope: { name: [] } }] }] }),
      'resourceSpans[1].scopeSpans[1].scope.name: expected a string, got array',
    ],
  ])('%s', (_name, body, message) => {
    expect(() => decodeTracesJson(body)).toThrow(
      expect.objectContaining({ name: 'PermanentError', code: 'ERR_BAD_REQUEST', message }),
    );
  });

  it('never fails with anything but ERR_BAD_REQUEST on cut or corrupted text', () => {
    const good = encodeTracesJson(everyFieldTraces());
    const junk = ['"', '{', '}', '[', ']', ',', ':', 'null', '1', '-', 'x', '"AA=="', '{}', '[]'];
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      const at = random(good.length);
      const body =
        i % 2 === 0
          ? good.slice(0, at)
          : good.slice(0, at) + junk[random(junk.length)] + good.slice(at + random(3));
      try {
        decodeTracesJson(body);
      } catch (err) {
        expect(err).toMatchObject({ name: 'PermanentError', code: 'ERR_BAD_REQUEST' });
      }
    }
  });

  it('accepts values nested exactly to the limit', () => {
    expect(() => decodeTracesJson(jsonValue(deeplyNested(MAX_VALUE_DEPTH)))).not.toThrow();
  });
});
