import { gzipSync } from 'node:zlib';
import { difyWrites } from '../fixtures/dify-opik-provider/requests.js';
import type { FuzzCase } from './otlp-cases.js';
import type { Random } from './random.js';

/** A request to the `opik` receiver: where it goes besides what every case carries. */
export interface OpikCase extends FuzzCase {
  readonly method: 'POST' | 'PATCH';
  readonly path: string;
}

/**
 * What Dify's Opik provider sends (the fixtures of `test/fixtures/dify-opik-provider/`, built from
 * the SDK's source): batch writes of traces and spans, with the SDK's headers, gzipped as it does.
 */
const SDK_REQUESTS = ['workflow_chatflow.json', 'message_chat.json', 'tool_error.json'].flatMap(
  (name) => difyWrites(name).batch,
);
const ITEMS = ['workflow_app.json', 'dataset_retrieval.json'].flatMap((name) => {
  const w = difyWrites(name);
  return [
    ...w.traces.map((item) => ({ key: 'traces', item })),
    ...w.spans.map((item) => ({ key: 'spans', item })),
  ];
});

const ODD_VALUES: unknown[] = [
  null,
  '',
  'yesterday',
  -1,
  1e308,
  0.5,
  2 ** 64,
  true,
  [],
  {},
  [1, [2, [3]]],
  { nested: { deeper: 'x' } },
  '2026-13-45T99:99:99',
  '\u0000\ud800',
  'not-a-uuid',
  '01977a47-1f03-4000-8000-000000000001',
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

const nested = (levels: number) => `${'['.repeat(levels)}"x"${']'.repeat(levels)}`;

/** Opik ingest cases: valid, mutated, deep, huge, lying, odd; gzipped as the SDK sends or not. */
export function opikCase(r: Random, bomb: Buffer): OpikCase {
  const sdk = r.pick(SDK_REQUESTS);
  const headers: Record<string, string> = { ...sdk.headers };
  delete headers['Content-Encoding'];
  const one = () => r.pick(ITEMS);
  /** A batch of one SDK item whose `input` is the raw JSON text `input`. */
  const withInput = (input: string) => {
    const { key, item } = one();
    const text = JSON.stringify({ [key]: [{ ...item, input: '__INPUT__' }] });
    return { body: text.replace('"__INPUT__"', () => input), path: batchPath(key) };
  };
  const batchPath = (key: string) => `/api/v1/private/${key}/batch`;
  type Made = {
    body: Buffer | string;
    path?: string;
    method?: 'POST' | 'PATCH';
    /** Sent with `Content-Encoding: gzip`; gzipped here unless `raw` (already gzip, or broken). */
    gzip?: boolean;
    raw?: boolean;
  };
  const kinds: Array<[string, () => Made]> = [
    ['valid SDK batch', () => ({ body: sdk.json!, path: sdk.path, gzip: true })],
    [
      'mutated batch',
      () => {
        const { key, item } = one();
        return { body: JSON.stringify({ [key]: [mutate(r, item)] }), path: batchPath(key) };
      },
    ],
    [
      'mutated single create',
      () => {
        const { key, item } = one();
        return { body: JSON.stringify(mutate(r, item)), path: `/api/v1/private/${key}` };
      },
    ],
    [
      'mutated update',
      () => {
        const { key, item } = one();
        const id = String((item as { id?: unknown }).id ?? '');
        return {
          body: JSON.stringify(mutate(r, { ...item, id: undefined })),
          path: `/api/v1/private/${key}/${r.pick([id, 'not-a-uuid', ''])}`,
          method: 'PATCH',
        };
      },
    ],
    [
      'byte-mutated',
      () => ({ body: r.mutate(Buffer.from(sdk.json!), 1 + r.int(8)), path: sdk.path }),
    ],
    ['truncated', () => ({ body: sdk.json!.slice(0, r.int(sdk.json!.length)), path: sdk.path })],
    [
      'malformed gzip',
      () => {
        const z = gzipSync(Buffer.from(sdk.json!));
        const broken = r.int(2) === 0 ? z.subarray(0, r.int(z.length)) : r.mutate(z, 1 + r.int(6));
        return { body: broken, path: sdk.path, gzip: true, raw: true };
      },
    ],
    [
      'not an object',
      () => ({ body: r.pick(['1', '"x"', 'null', '', '[1,2]', '{"traces":{}}']), path: sdk.path }),
    ],
    ['deep input', () => withInput(nested(r.pick([999, 1000, 1001, 100_000])))],
    ['huge array in input', () => withInput(`[${'0,'.repeat(500_000 + r.int(1_000_000))}0]`)],
    [
      'huge string in input',
      () => withInput(`"${'z'.repeat(2 * 1024 * 1024 + r.int(1024 * 1024))}"`),
    ],
    [
      'many items',
      () => {
        const { key, item } = one();
        const n = r.pick([1000, 1001, 5000]);
        return {
          body: JSON.stringify({ [key]: Array.from({ length: n }, () => item) }),
          path: batchPath(key),
        };
      },
    ],
    [
      'invalid UTF-8',
      () => ({
        body: Buffer.concat([
          Buffer.from(sdk.json!.slice(0, 40)),
          Buffer.from([0xff, 0xfe, 0xc3]),
          Buffer.from('"}]}'),
        ]),
        path: sdk.path,
      }),
    ],
    [
      'number extremes',
      () => ({
        body: sdk.json!.replace(
          /:\s*\d+(\.\d+)?/g,
          () => `:${r.pick(['1e400', '-1e400', '1e308', '123456789012345678901234567890'])}`,
        ),
        path: sdk.path,
      }),
    ],
    ['gzip bomb', () => ({ body: bomb, path: sdk.path, gzip: true, raw: true })],
  ];
  const [kind, make] = r.pick(kinds);
  const made = make();
  const bytes = typeof made.body === 'string' ? Buffer.from(made.body) : made.body;
  const gzip = made.gzip === true;
  return {
    kind: `opik: ${kind}`,
    method: made.method ?? 'POST',
    path: made.path ?? sdk.path,
    body: gzip && !made.raw ? gzipSync(bytes, { level: 9 }) : bytes,
    headers: { ...headers, ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
  };
}
