import { fixture, withNodes } from '../../src/receivers/dify/test-fixtures.js';
import type { FuzzCase } from './otlp-cases.js';
import type { Random } from './random.js';

const ENVELOPES = [
  'message_chat.json',
  'message_agent_chat.json',
  'moderation_flagged.json',
  'suggested_question.json',
  'dataset_retrieval.json',
  'tool_error.json',
  'generate_name.json',
  'workflow_app.json',
  'edge_unicode_emoji.json',
  'edge_nulls_and_missing_keys.json',
].map((name) => fixture(name));
const WITH_NODES = ['workflow_app.json', 'workflow_chatflow.json'].map((n) => withNodes(n));

const ODD_VALUES: unknown[] = [
  null,
  '',
  'yesterday',
  -1,
  1e308,
  -1e308,
  0.5,
  2 ** 64,
  true,
  [],
  {},
  [1, [2, [3]]],
  { nested: { deeper: 'x' } },
  '2026-13-45T99:99:99',
  '\u0000\ud800',
];

/** A copy of `value` with one random leaf (or subtree) replaced by an odd value. */
function mutate(r: Random, value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 6 || r.int(6) === 0) {
    return r.pick(ODD_VALUES);
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return r.pick(ODD_VALUES);
    const out = [...value];
    const i = r.int(out.length);
    out[i] = mutate(r, out[i], depth + 1);
    return out;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return r.pick(ODD_VALUES);
  const [k, v] = r.pick(entries);
  return { ...(value as object), [k]: mutate(r, v, depth + 1) };
}

const JSON_TYPE = { 'content-type': 'application/json' };
const NDJSON = { 'content-type': 'application/x-ndjson' };

function nested(levels: number): string {
  return `${'['.repeat(levels)}"x"${']'.repeat(levels)}`;
}

/** Dify envelope cases: valid, mutated, deep, huge, lying, odd, in JSON and NDJSON framing. */
export function difyCase(r: Random, bomb: Buffer): FuzzCase {
  const env = () => r.pick(ENVELOPES);
  /** An envelope whose `trace_info.inputs` is the raw JSON text `inputs`. */
  const withInputs = (inputs: string) => {
    const e = env() as { trace_info: Record<string, unknown> };
    const text = JSON.stringify({ ...e, trace_info: { ...e.trace_info, inputs: '__INPUTS__' } });
    return text.replace('"__INPUTS__"', () => inputs);
  };
  const kinds: Array<[string, () => Buffer | string, Record<string, string>?]> = [
    ['valid', () => JSON.stringify(r.pick([...ENVELOPES, ...WITH_NODES]))],
    ['valid array', () => JSON.stringify(Array.from({ length: 1 + r.int(20) }, env))],
    ['mutated', () => JSON.stringify(Array.from({ length: 1 + r.int(5) }, () => mutate(r, env())))],
    [
      'mutated NDJSON',
      () =>
        Array.from({ length: 1 + r.int(10) }, () => JSON.stringify(mutate(r, env()))).join('\n'),
      NDJSON,
    ],
    ['byte-mutated', () => r.mutate(Buffer.from(JSON.stringify(env())), 1 + r.int(8))],
    [
      'truncated',
      () => {
        const t = JSON.stringify(env());
        return t.slice(0, r.int(t.length));
      },
    ],
    ['not an object', () => r.pick(['1', '"x"', 'null', '', '[1,2]', '[[]]'])],
    [
      'deep item',
      () => `[${JSON.stringify(env())},${withInputs(nested(r.pick([65, 1000, 100_000])))}]`,
    ],
    [
      'deep NDJSON line',
      () => `${JSON.stringify(env())}\n${nested(r.pick([65, 50_000]))}\n${JSON.stringify(env())}`,
      NDJSON,
    ],
    ['huge array in inputs', () => withInputs(`[${'0,'.repeat(500_000 + r.int(1_000_000))}0]`)],
    [
      'huge string in inputs',
      () => withInputs(`"${'z'.repeat(2 * 1024 * 1024 + r.int(1024 * 1024))}"`),
    ],
    [
      'many node rows',
      () => {
        const w = WITH_NODES[0]! as { node_executions: unknown[] };
        const rows = Array.from({ length: 3000 + r.int(20_000) }, (_, i) => ({
          ...(w.node_executions[0] as object),
          id: `row-${i}`,
        }));
        return JSON.stringify({ ...w, node_executions: rows });
      },
    ],
    [
      'many bad NDJSON lines',
      () => Array.from({ length: 20_000 + r.int(40_000) }, () => '{"oops":').join('\n'),
      NDJSON,
    ],
    [
      'invalid UTF-8',
      () =>
        Buffer.concat([
          Buffer.from(JSON.stringify(env()).slice(0, 40)),
          Buffer.from([0xff, 0xfe, 0xc3]),
          Buffer.from('"}'),
        ]),
    ],
    [
      'number extremes',
      () =>
        JSON.stringify(env()).replace(
          /:\s*\d+(\.\d+)?/g,
          () => `:${r.pick(['1e400', '-1e400', '1e308', '123456789012345678901234567890'])}`,
        ),
    ],
    ['gzip bomb', () => bomb, { 'content-encoding': 'gzip' }],
  ];
  const [kind, make, extra] = r.pick(kinds);
  const body = make();
  return {
    kind: `dify: ${kind}`,
    body: typeof body === 'string' ? Buffer.from(body) : body,
    headers: { ...JSON_TYPE, ...extra },
  };
}
