import { describe, expect, it } from 'vitest';
import { makeSpan, makeTraces } from '../../pdata/span.js';
import { SpanKind, StatusCode, type Traces } from '../../pdata/traces.js';
import { formatTraces } from './format.js';
import { formatDuration, formatTime, formatValue } from './format-value.js';

const T0 = 1_767_225_600_000_000_000n; // 2026-01-01T00:00:00Z

function sample(): Traces {
  const root = makeSpan({
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    name: 'workflow',
    kind: SpanKind.SERVER,
    startTimeUnixNano: T0,
    endTimeUnixNano: T0 + 1_250_000_000n,
    attributes: [
      { key: 'gen_ai.usage.input_tokens', value: 12n },
      { key: 'input.value', value: 'line one\nline two' },
    ],
    events: [
      {
        name: 'exception',
        timeUnixNano: T0 + 5n,
        attributes: [{ key: 'exception.message', value: 'boom' }],
        droppedAttributesCount: 0,
      },
    ],
    links: [
      {
        traceId: 'f'.repeat(32),
        spanId: 'e'.repeat(16),
        traceState: '',
        attributes: [{ key: 'link.kind', value: 'follows' }],
        droppedAttributesCount: 0,
        flags: 1,
      },
    ],
    status: { code: StatusCode.ERROR, message: 'node failed' },
  });
  const child = makeSpan({
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: '00f067aa0ba902b7',
    parentSpanId: 'b7ad6b7169203331',
    name: 'llm',
    startTimeUnixNano: T0 + 1000n,
    endTimeUnixNano: T0 + 3_201_000n,
  });
  return makeTraces([root, child], [{ key: 'service.name', value: 'dify' }], {
    name: 'dify-opik-collector',
    version: '0.1.0',
  });
}

describe('debug exporter output', () => {
  it('basic: one summary line per batch', () => {
    expect(formatTraces(sample(), 'basic', 'debug')).toBe(
      'exporter/debug traces: 1 resource spans, 1 scope spans, 2 spans\n',
    );
  });

  it('normal: the summary, then one line per span', () => {
    expect(formatTraces(sample(), 'normal', 'debug/2').split('\n')).toEqual([
      'exporter/debug/2 traces: 1 resource spans, 1 scope spans, 2 spans',
      '"workflow" trace=0af7651916cd43dd8448eb211c80319c span=b7ad6b7169203331 parent=- kind=Server duration=1.25s status=Error("node failed")',
      '"llm" trace=0af7651916cd43dd8448eb211c80319c span=00f067aa0ba902b7 parent=b7ad6b7169203331 kind=Internal duration=3.2ms status=Unset',
      '',
    ]);
  });

  it('detailed: every field, with typed attributes, events, links, resource and scope', () => {
    expect(formatTraces(sample(), 'detailed', 'debug').split('\n')).toEqual([
      'exporter/debug traces: 1 resource spans, 1 scope spans, 2 spans',
      'ResourceSpans #0',
      '  resource attributes:',
      '    -> service.name: Str("dify")',
      '  ScopeSpans #0 dify-opik-collector@0.1.0',
      '    Span #0 "workflow"',
      '      trace id:    0af7651916cd43dd8448eb211c80319c',
      '      span id:     b7ad6b7169203331',
      '      parent id:   (root)',
      '      kind:        Server',
      '      start:       2026-01-01T00:00:00.000000000Z',
      '      end:         2026-01-01T00:00:01.250000000Z',
      '      duration:    1.25s',
      '      status:      Error("node failed")',
      '      attributes:',
      '        -> gen_ai.usage.input_tokens: Int(12)',
      '        -> input.value: Str("line one\\nline two")',
      '      event #0 "exception" at 2026-01-01T00:00:00.000000005Z',
      '        -> exception.message: Str("boom")',
      `      link #0 trace=${'f'.repeat(32)} span=${'e'.repeat(16)} flags 0x00000001`,
      '        -> link.kind: Str("follows")',
      '    Span #1 "llm"',
      '      trace id:    0af7651916cd43dd8448eb211c80319c',
      '      span id:     00f067aa0ba902b7',
      '      parent id:   b7ad6b7169203331',
      '      kind:        Internal',
      '      start:       2026-01-01T00:00:00.000001000Z',
      '      end:         2026-01-01T00:00:00.003201000Z',
      '      duration:    3.2ms',
      '      status:      Unset',
      '',
    ]);
  });

  it.each([
    [null, 'Empty()'],
    ['a"b', 'Str("a\\"b")'],
    [42n, 'Int(42)'],
    [-9_007_199_254_740_993n, 'Int(-9007199254740993)'],
    [1.5, 'Double(1.5)'],
    [false, 'Bool(false)'],
    [new Uint8Array([1, 2, 255]), 'Bytes(AQL/)'],
    [['x', 1n], 'Slice([Str("x"), Int(1)])'],
    [{ kvlist: [{ key: 'k', value: [true] }] }, 'Map({"k": Slice([Bool(true)])})'],
  ])('shows %o as %s', (value, text) => {
    expect(formatValue(value)).toBe(text);
  });

  it.each([
    [0n, 850n, '850ns'],
    [0n, 12_500n, '12.5µs'],
    [0n, 61_000_000_000n, '61s'],
    [10n, 5n, '-5ns'],
  ])('shows a span from %i to %i as lasting %s', (start, end, text) => {
    const base = 1_000_000n;
    expect(formatDuration(base + start, base + end)).toBe(text);
  });

  it('shows unset times and durations as such', () => {
    expect(formatTime(0n)).toBe('(unset)');
    expect(formatDuration(0n, 5n)).toBe('?');
  });
});
