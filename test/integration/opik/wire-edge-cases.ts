/**
 * OTLP requests that walk the edges of the `opik` exporter's fast mapping (wire-spans.ts,
 * wire-ids.ts): every value kind in metadata, the usage and cost numbers it takes and those it
 * leaves to the mapping, models and providers, JSON-looking text, keys objects order or keep
 * apart, spans without an end or a start, ids shared across traces, parents after their children,
 * and plain spans joining a trace whose Opik ids an earlier batch stated. Not a source's output:
 * each span is here for the fast mapping's sake (wire-parity.test.ts).
 */
import { attributesFrom } from '../../../src/pdata/attributes.js';
import { makeSpan } from '../../../src/pdata/span.js';
import {
  type AnyValue,
  type KeyValue,
  type Span,
  SpanKind,
  StatusCode,
  type Traces,
} from '../../../src/pdata/traces.js';
import { difyChatflowRun } from '../../support/dify-shaped.js';

const T0 = 1_795_600_000_000n * 1_000_000n;
const at = (ms: number) => T0 + BigInt(ms) * 1_000_000n + 123_456n;
const TRACE_A = 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1';
const TRACE_B = 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2';
const TRACE_C = 'c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3';
const id = (n: number) => n.toString(16).padStart(16, '0');

const kv = (key: string, value: AnyValue): KeyValue => ({ key, value });

function spanOf(
  trace: string,
  n: number,
  parent: number | undefined,
  name: string,
  attributes: KeyValue[],
  more: Partial<Span> = {},
): Span {
  return makeSpan({
    traceId: trace,
    spanId: id(n),
    parentSpanId: parent === undefined ? '' : id(parent),
    name,
    kind: SpanKind.INTERNAL,
    startTimeUnixNano: at(n),
    endTimeUnixNano: at(n + 50),
    attributes,
    ...more,
  });
}

/** Metadata of every value kind, and keys that need JSON escapes. */
const EVERY_VALUE: KeyValue[] = [
  kv('text', 'plain'),
  kv('text.escapes', 'quote " backslash \\ newline \n tab \t nul \u0000 del \u007f ✓ 😀 \u2028'),
  kv('key with "quotes" and ✓', 'x'),
  kv('', 'empty key'),
  kv('bool.true', true),
  kv('bool.false', false),
  kv('int.zero', 0n),
  kv('int.small', 7n),
  kv('int.2^28', 268_435_456n),
  kv('int.2^31', 2_147_483_648n),
  kv('int.negative', -1n),
  kv('int.min32', -2_147_483_648n),
  kv('int.past.2^53', 9_007_199_254_740_993n),
  kv('int.max', 9_223_372_036_854_775_807n),
  kv('int.min', -9_223_372_036_854_775_808n),
  kv('double', 0.1),
  kv('double.negative.zero', -0),
  kv('double.big', 1e21),
  kv('double.tiny', 5e-324),
  kv('double.nan', Number.NaN),
  kv('double.inf', Number.POSITIVE_INFINITY),
  kv('bytes', new Uint8Array([0, 255, 1])),
  kv('array', ['a', 1n, 2.5, false, null]),
  kv('kvlist', { kvlist: [kv('inner', 'v'), kv('n', 3n)] }),
  kv('empty.value', null),
  kv('constructor', 'c'),
  kv('toString', 't'),
  kv('-1', 'negative number key'),
  kv('1.5', 'decimal key'),
];

/** Spans of one trace whose top is here: each a case of the fast mapping. */
function traceA(): Span[] {
  return [
    spanOf(TRACE_A, 1, undefined, 'top', [
      kv('input.value', '{"q":"top"}'),
      kv('output.value', 'done'),
      kv('gen_ai.conversation.id', 'thread ✓ 1'),
      kv('gen_ai.operation.name', 'invoke_agent'),
      kv('app.version', 3n),
    ]),
    spanOf(TRACE_A, 2, 1, 'every value', EVERY_VALUE),
    // Parent after its child in the batch; the child refers to it.
    spanOf(TRACE_A, 4, 3, 'child before parent', [kv('step', 1n)]),
    spanOf(TRACE_A, 3, 1, 'parent after child', []),
    spanOf(TRACE_A, 5, 1, 'no end', [kv('state', 'running')], { endTimeUnixNano: 0n }),
    spanOf(TRACE_A, 6, 99, 'parent not in the batch', []),
    spanOf(TRACE_A, 7, 1, 'unicode name ✓ 世界 😀', [kv('input.value', '')]),
    spanOf(TRACE_A, 8, 1, '', [kv('output.value', null), kv('input.value', null)]),
    spanOf(TRACE_A, 9, 1, 'json-looking text', [kv('input.value', '{"unterminated": ')]),
    spanOf(TRACE_A, 10, 1, 'json string holding text', [kv('output.value', '"plain words"')]),
    spanOf(TRACE_A, 11, 1, 'json string holding json', [kv('output.value', '"{\\"a\\":1}"')]),
    spanOf(TRACE_A, 12, 1, 'input not text', [kv('input.value', 42n)]),
    spanOf(TRACE_A, 13, 1, 'duplicate key', [kv('k', 'first'), kv('k', 'second')]),
    spanOf(TRACE_A, 14, 1, 'numeric key', [kv('123', 'first in objects')]),
    spanOf(TRACE_A, 15, 1, '__proto__ key', [kv('__proto__', 'kept apart')]),
    spanOf(TRACE_A, 16, 1, 'service.name on the span', [kv('service.name', 'other')]),
    spanOf(TRACE_A, 17, 1, 'opik keys', [
      kv('opik.tags', ['t1', 't2']),
      kv('opik.metadata', '{"from":"receiver"}'),
    ]),
    spanOf(TRACE_A, 18, 1, 'tool', [
      kv('gen_ai.operation.name', 'execute_tool'),
      kv('gen_ai.tool.name', 'search'),
    ]),
    spanOf(TRACE_A, 19, 1, 'operation not text', [kv('gen_ai.operation.name', 5n)]),
    spanOf(TRACE_A, 20, 1, 'native metadata', [
      kv('gen_ai.tool.name', 'lookup'),
      kv('gen_ai.tool.call.id', 'call-7'),
      kv('gen_ai.request.model', 'not an llm span'),
      kv('gen_ai.usage.input_tokens', 5n),
    ]),
    spanOf(TRACE_A, 21, 1, 'exception event', [], {
      events: [
        {
          name: 'exception',
          timeUnixNano: at(22),
          droppedAttributesCount: 0,
          attributes: attributesFrom({
            'exception.type': 'ValueError',
            'exception.message': 'bad',
            'exception.stacktrace': 'Traceback…',
          }),
        },
      ],
    }),
    spanOf(TRACE_A, 22, 1, 'error status', [], {
      status: { code: StatusCode.ERROR, message: 'failed ✓' },
    }),
    spanOf(TRACE_A, 23, 1, 'error status without message', [], {
      status: { code: StatusCode.ERROR, message: '' },
    }),
    spanOf(TRACE_A, 24, 1, 'every field', [kv('x', 'y')], {
      traceState: 'k=v',
      flags: 0x101,
      kind: SpanKind.CLIENT,
      droppedAttributesCount: 2,
      droppedEventsCount: 3,
      droppedLinksCount: 4,
      events: [
        {
          name: 'tick',
          timeUnixNano: at(25),
          attributes: [kv('i', 1n)],
          droppedAttributesCount: 1,
        },
      ],
      links: [
        {
          traceId: TRACE_B,
          spanId: id(1),
          traceState: 'a=b',
          attributes: [kv('link', true)],
          droppedAttributesCount: 0,
          flags: 1,
        },
      ],
      status: { code: StatusCode.OK, message: 'fine' },
    }),
    ...llmSpans(),
  ];
}

const llm = (n: number, name: string, attrs: KeyValue[]) =>
  spanOf(TRACE_A, n, 1, name, [kv('gen_ai.operation.name', 'chat'), ...attrs]);

/** LLM spans: usage, cost, models and providers the fast mapping takes, and those it leaves. */
function llmSpans(): Span[] {
  return [
    llm(40, 'usage ints', [
      kv('gen_ai.request.model', 'gpt-4o'),
      kv('gen_ai.provider.name', 'openai'),
      kv('gen_ai.usage.input_tokens', 10n),
      kv('gen_ai.usage.output_tokens', 5n),
    ]),
    llm(41, 'usage with a total that differs', [
      kv('gen_ai.system', 'anthropic'),
      kv('gen_ai.usage.prompt_tokens', 10n),
      kv('gen_ai.usage.completion_tokens', 5n),
      kv('gen_ai.usage.total_tokens', 99n),
    ]),
    llm(42, 'usage as doubles', [
      kv('gen_ai.response.model', 'm'),
      kv('gen_ai.usage.input_tokens', 3),
      kv('gen_ai.usage.output_tokens', 4.5),
    ]),
    llm(43, 'usage large and negative', [
      kv('gen_ai.request.model', 'm'),
      kv('gen_ai.usage.input_tokens', 2_147_483_647n),
      kv('gen_ai.usage.output_tokens', -2n),
      kv('gen_ai.usage.reasoning_tokens', 3_000_000_000n),
    ]),
    llm(44, 'usage as text', [
      kv('gen_ai.request.model', 'm'),
      kv('gen_ai.usage.input_tokens', '12'),
    ]),
    llm(45, 'costs', [kv('gen_ai.request.model', 'm'), kv('gen_ai.usage.cost', 2n)]),
    llm(46, 'cost negative', [kv('gen_ai.request.model', 'm'), kv('gen_ai.usage.cost', -0.5)]),
    llm(47, 'cost fractional', [
      kv('gen_ai.request.model', 'm'),
      kv('gen_ai.usage.cost', 0.000123),
    ]),
    llm(48, 'models differ', [
      kv('gen_ai.request.model', 'gpt-4o'),
      kv('gen_ai.response.model', 'gpt-4o-2024-08-06'),
      kv('gen_ai.usage.total_tokens', 7n),
    ]),
    llm(49, 'models the same', [
      kv('gen_ai.request.model', 'gpt-4o'),
      kv('gen_ai.response.model', 'gpt-4o'),
    ]),
    llm(50, 'provider and system', [
      kv('gen_ai.system', 'openai'),
      kv('gen_ai.provider.name', 'azure'),
      kv('gen_ai.request.model', 'm'),
    ]),
    llm(51, 'provider rewritten by Opik 2.1 and 2.2', [kv('gen_ai.provider.name', 'Google ')]),
    llm(52, 'provider rewritten by Opik 2.2', [kv('gen_ai.provider.name', 'aws.bedrock')]),
    llm(53, 'nothing that marks an llm', [kv('input.value', 'hi')]),
    llm(54, 'model not text', [kv('gen_ai.request.model', 4n)]),
    llm(55, 'model null', [kv('gen_ai.request.model', null), kv('gen_ai.system', 'x')]),
    llm(56, 'empty model', [kv('gen_ai.request.model', '')]),
    llm(57, 'usage key without a name', [kv('gen_ai.usage.', 1n), kv('gen_ai.system', 'x')]),
    llm(58, 'usage key numeric', [kv('gen_ai.usage.1', 1n), kv('gen_ai.system', 'x')]),
    llm(59, 'usage renamed twice', [
      kv('gen_ai.usage.input_tokens', 1n),
      kv('gen_ai.usage.prompt_tokens', 2n),
      kv('gen_ai.system', 'x'),
    ]),
    llm(60, 'llm with extra metadata and text', [
      kv('gen_ai.request.model', 'm'),
      kv('gen_ai.request.temperature', 0.2),
      kv('input.value', '[{"role":"user","content":"hi"}]'),
      kv('output.value', '{"text":"hello"}'),
      kv('gen_ai.conversation.id', 'c-1'),
    ]),
    // Its child below carries usage: Opik would clear the parent's over OTLP.
    llm(61, 'parent of usage', [
      kv('gen_ai.request.model', 'm'),
      kv('gen_ai.usage.input_tokens', 1n),
    ]),
    spanOf(TRACE_A, 62, 61, 'child with usage', [
      kv('gen_ai.operation.name', 'text_completion'),
      kv('gen_ai.request.model', 'm'),
      kv('gen_ai.usage.output_tokens', 1n),
    ]),
    spanOf(TRACE_A, 63, 1, 'embeddings', [
      kv('gen_ai.operation.name', 'embeddings'),
      kv('gen_ai.request.model', 'e'),
    ]),
    spanOf(TRACE_A, 64, 1, 'guardrail', [kv('gen_ai.operation.name', 'apply_guardrail')]),
  ];
}

/**
 * The requests, in order: trace A under two resources and three scopes; trace B, whose span ids
 * repeat trace A's, with a top without an end and a span without a start; trace C, its top in a
 * request of its own after its children; then a Dify-shaped run whose spans state their Opik ids,
 * plain spans that join its trace afterwards (ids the store remembers), and an Opik object as
 * the opik receiver hands it on.
 */
export function edgeCaseRequests(): Traces[] {
  const a = traceA();
  const half = Math.ceil(a.length / 2);
  const scope = (name: string, spans: Span[], version = '') => ({
    scope: { name, version, attributes: [kv('scope.attr', 1n)], droppedAttributesCount: 0 },
    spans,
    schemaUrl: name === '' ? '' : 'https://opentelemetry.io/schemas/1.26.0',
  });
  const first: Traces = {
    resourceSpans: [
      {
        resource: {
          attributes: attributesFrom({ 'service.name': 'edge ✓ "svc"', 'host.name': 'h' }),
          droppedAttributesCount: 1,
        },
        schemaUrl: 'https://opentelemetry.io/schemas/1.24.0',
        scopeSpans: [scope('lib-a', a.slice(0, 3), '1.0'), scope('', a.slice(3, half))],
      },
      {
        resource: { attributes: [kv('service.name', 7n)], droppedAttributesCount: 0 },
        schemaUrl: '',
        scopeSpans: [scope('lib-b', a.slice(half))],
      },
      { resource: { attributes: [], droppedAttributesCount: 0 }, schemaUrl: '', scopeSpans: [] },
    ],
  };
  const b: Traces = {
    resourceSpans: [
      {
        resource: { attributes: [], droppedAttributesCount: 0 },
        schemaUrl: '',
        scopeSpans: [
          scope('lib', [
            spanOf(TRACE_B, 1, undefined, 'top without an end', [kv('input.value', 'x')], {
              endTimeUnixNano: 0n,
            }),
            spanOf(TRACE_B, 2, 1, 'same span id as in trace A', []),
            spanOf(TRACE_B, 3, 2, 'no start', [], { startTimeUnixNano: 0n }),
            spanOf(TRACE_B, 4, 1, 'parent in trace A only', []),
          ]),
        ],
      },
    ],
  };
  const cChildren = plain([
    spanOf(TRACE_C, 2, 1, 'child first', [kv('n', 1n)]),
    spanOf(TRACE_C, 3, 2, 'grandchild', [kv('output.value', '[1,2]')]),
  ]);
  const cTop = plain([
    spanOf(TRACE_C, 1, undefined, 'top last', [kv('gen_ai.conversation.id', '')], {
      startTimeUnixNano: at(0),
    }),
  ]);
  const dify = difyChatflowRun();
  const difySpans = dify.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
  const difyTrace = difySpans[0]!.traceId;
  const difyTop = difySpans.find((s) => s.parentSpanId === '')!;
  const joining = plain([
    spanOf(difyTrace, 0xd1, undefined, 'plain span under the run', [kv('k', 'v')], {
      parentSpanId: difyTop.spanId,
    }),
    spanOf(difyTrace, 0xd2, 0xd1, 'plain grandchild', []),
  ]);
  // An Opik object the opik receiver took in, its attributes in another order than it writes
  // them: it is written back as it came, on either path.
  const object = plain([
    spanOf(TRACE_C, 0x0b, undefined, 'received object', [
      kv('7', 'a key objects order first'),
      kv('opik.entity_type', 'trace'),
      kv('opik.trace_id', '019ebaf3-cfa3-70b7-a3c9-c9de9689fe00'),
      kv('input.value', '{"q":1}'),
    ]),
  ]);
  return [first, b, cChildren, cTop, dify, joining, object];
}

function plain(spans: Span[]): Traces {
  return {
    resourceSpans: [
      {
        resource: { attributes: [kv('service.name', 'plain')], droppedAttributesCount: 0 },
        schemaUrl: '',
        scopeSpans: [
          {
            scope: { name: 'plain-lib', version: '', attributes: [], droppedAttributesCount: 0 },
            spans,
            schemaUrl: '',
          },
        ],
      },
    ],
  };
}
