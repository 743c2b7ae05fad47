import { gzipSync } from 'node:zlib';
import { encodeTracesJson } from '../../src/otlp/json-codec.js';
import { encodeTracesRequest } from '../../src/otlp/proto-codec.js';
import { makeSpan, makeTraces } from '../../src/pdata/span.js';
import type { AnyValue, KeyValue, Traces } from '../../src/pdata/traces.js';
import { field, type Random, varint } from './random.js';

/** One request to send: its body, headers, and what kind of flaw it carries. */
export interface FuzzCase {
  readonly kind: string;
  readonly body: Buffer;
  readonly headers: Record<string, string>;
}

const hex = (r: Random, bytes: number) => r.bytes(bytes).toString('hex');

function randomValue(r: Random, depth = 0): AnyValue {
  switch (r.int(depth > 2 ? 5 : 7)) {
    case 0:
      return 'v'.repeat(r.int(50));
    case 1:
      return BigInt(r.int(1e9)) - 500_000_000n;
    case 2:
      return r.next() * 1e6;
    case 3:
      return r.int(2) === 0;
    case 4:
      return new Uint8Array(r.bytes(r.int(10)));
    case 5:
      return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
    default:
      return {
        kvlist: Array.from({ length: r.int(4) }, (_, i) => ({
          key: `k${i}`,
          value: randomValue(r, depth + 1),
        })),
      };
  }
}

/** A valid request of a few random spans. */
export function randomTraces(r: Random, spans = 1 + r.int(20), payload = 0): Traces {
  const list = Array.from({ length: spans }, (_, i) =>
    makeSpan({
      traceId: hex(r, 16),
      spanId: hex(r, 8),
      name: `span ${i} ✓`,
      attributes: [
        ...Array.from(
          { length: r.int(8) },
          (_, k): KeyValue => ({ key: `attr.${k}`, value: randomValue(r) }),
        ),
        ...(payload > 0 ? [{ key: 'input.value', value: 'p'.repeat(payload) }] : []),
      ],
    }),
  );
  return makeTraces(list);
}

/** A valid request near the allowed size: 2,000 to 10,000 spans of about 1 KB each (2 to 12 MB). */
function large(r: Random): Traces {
  return randomTraces(r, 2000 + r.int(8000), 1000);
}

const PROTO = { 'content-type': 'application/x-protobuf' };
const JSON_TYPE = { 'content-type': 'application/json' };

/** `levels` arrays nested in one attribute value, written by hand (no encoder would build it). */
export function deepProtobuf(levels: number): Buffer {
  let value = field(1, Buffer.from('leaf'));
  for (let i = 0; i < levels; i++) value = field(5, field(1, value));
  const kv = Buffer.concat([field(1, Buffer.from('deep')), field(2, value)]);
  return field(1, field(2, field(2, Buffer.concat([field(1, Buffer.alloc(16, 1)), field(9, kv)]))));
}

/** One span with one attribute: `value` as raw AnyValue bytes. */
function oneValue(anyValue: Buffer): Buffer {
  const kv = Buffer.concat([field(1, Buffer.from('k')), field(2, anyValue)]);
  return field(1, field(2, field(2, field(9, kv))));
}

/** A gzip body that inflates to `mib` MiB of zeros. */
export function gzipBomb(mib: number): Buffer {
  return gzipSync(Buffer.alloc(mib * 1024 * 1024), { level: 9 });
}

/** OTLP/protobuf cases (HTTP and gRPC): valid, mutated, truncated, lying, deep, huge, odd. */
export function protobufCase(r: Random, bomb: Buffer): FuzzCase {
  const valid = () => Buffer.from(encodeTracesRequest(randomTraces(r)));
  const kinds: Array<[string, () => Buffer, Record<string, string>?]> = [
    ['valid', valid],
    ['large valid', () => Buffer.from(encodeTracesRequest(large(r)))],
    ['mutated', () => r.mutate(valid(), 1 + r.int(8))],
    [
      'truncated',
      () => {
        const v = valid();
        return v.subarray(0, r.int(v.length));
      },
    ],
    ['garbage', () => r.bytes(r.int(64 * 1024))],
    ['field number 0', () => Buffer.alloc(r.int(1024 * 1024))],
    ['deep value', () => deepProtobuf(r.pick([65, 200, 5000]))],
    [
      'huge array',
      () =>
        oneValue(
          field(
            5,
            Buffer.concat(
              Array.from({ length: 50_000 + r.int(150_000) }, () => field(1, Buffer.alloc(0))),
            ),
          ),
        ),
    ],
    [
      'huge string',
      () => oneValue(field(1, Buffer.alloc(1024 * 1024 + r.int(2 * 1024 * 1024), 0x61))),
    ],
    [
      'invalid UTF-8',
      () => oneValue(field(1, Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82, 0x61]))),
    ],
    [
      'many attributes',
      () =>
        field(
          1,
          field(
            2,
            field(
              2,
              Buffer.concat(
                Array.from({ length: 5000 }, (_, i) => field(9, field(1, Buffer.from(`k${i}`)))),
              ),
            ),
          ),
        ),
    ],
    [
      'too many spans',
      () =>
        field(
          1,
          field(2, Buffer.concat(Array.from({ length: 17_000 }, () => field(2, Buffer.alloc(0))))),
        ),
    ],
    ['length past the end', () => Buffer.concat([varint(0x0a), varint(1_000_000), r.bytes(100)])],
    [
      'child longer than parent',
      () => field(1, Buffer.concat([varint(0x12), varint(500), r.bytes(20)])),
    ],
    [
      'overlong varint',
      () => Buffer.concat([Buffer.from([0x0a]), Buffer.alloc(11, 0xff), Buffer.from([0x01])]),
    ],
    ['group wire type', () => Buffer.from([0x0b, 0x0c])],
    ['gzip of garbage', () => gzipSync(r.bytes(r.int(4096))), { 'content-encoding': 'gzip' }],
    ['gzip bomb', () => bomb, { 'content-encoding': 'gzip' }],
  ];
  const [kind, make, extra] = r.pick(kinds);
  return { kind: `protobuf: ${kind}`, body: make(), headers: { ...PROTO, ...extra } };
}

/** OTLP/JSON cases. */
export function jsonCase(r: Random, bomb: Buffer): FuzzCase {
  const valid = () => encodeTracesJson(randomTraces(r));
  const span = (attributes: string) =>
    `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${'ab'.repeat(16)}","spanId":"${'cd'.repeat(8)}","name":"x","attributes":${attributes}}]}]}]}`;
  const kinds: Array<[string, () => Buffer | string, Record<string, string>?]> = [
    ['valid', valid],
    ['large valid', () => encodeTracesJson(large(r))],
    ['mutated', () => r.mutate(Buffer.from(valid()), 1 + r.int(8))],
    [
      'truncated',
      () => {
        const v = valid();
        return v.slice(0, r.int(v.length));
      },
    ],
    ['not an object', () => r.pick(['[]', '1', '"x"', 'null', 'true', ''])],
    ['deep document', () => `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
    [
      'deep value',
      () =>
        span(
          `[{"key":"k","value":${'{"arrayValue":{"values":['.repeat(200)}{"stringValue":"x"}${']}}'.repeat(200)}}]`,
        ),
    ],
    [
      'huge array',
      () =>
        span(
          `[{"key":"k","value":{"arrayValue":{"values":[${'{"intValue":1},'.repeat(100_000)}{"intValue":1}]}}}]`,
        ),
    ],
    [
      'huge string',
      () => span(`[{"key":"k","value":{"stringValue":"${'y'.repeat(3 * 1024 * 1024)}"}}]`),
    ],
    [
      'wrong types',
      () =>
        span(r.pick(['{}', '[1,2]', '[{"key":5}]', '[{"key":"k","value":{"intValue":"1.5"}}]'])),
    ],
    [
      'invalid UTF-8',
      () =>
        Buffer.concat([
          Buffer.from(span('[{"key":"k","value":{"stringValue":"')),
          Buffer.from([0xff, 0xc3, 0x28]),
          Buffer.from('"}}]'),
        ]),
    ],
    [
      'many attributes',
      () =>
        span(
          `[${Array.from({ length: 5000 }, (_, i) => `{"key":"k${i}","value":{"boolValue":true}}`).join(',')}]`,
        ),
    ],
    ['gzip bomb', () => bomb, { 'content-encoding': 'gzip' }],
  ];
  const [kind, make, extra] = r.pick(kinds);
  const body = make();
  return {
    kind: `json: ${kind}`,
    body: typeof body === 'string' ? Buffer.from(body) : body,
    headers: { ...JSON_TYPE, ...extra },
  };
}
