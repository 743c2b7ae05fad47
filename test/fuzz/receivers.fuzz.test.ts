/**
 * Fuzzing the receivers (`otlp` over HTTP and gRPC, `dify`, `opik`) through their endpoints, as a
 * client or an attacker would: seeded, generated requests (valid, mutated, truncated, malformed
 * protobuf, JSON and gzip, deep nesting, huge arrays and strings, invalid UTF-8, gzip bombs,
 * framing lies; for `opik`, what Dify's Opik provider sends, mutated). Every answer must be a success
 * or a 4xx (never a 5xx, never a crash), the receivers must keep answering, and no request may
 * hold the event loop for more than 100 ms (perf_hooks' event-loop delay, less the time the
 * machine's other processes had the CPU: see `stallOf`).
 *
 * `npm test` runs a few hundred cases per receiver; `npm run fuzz` runs thousands
 * (FUZZ_CASES cases per receiver, FUZZ_SEED for the seed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTracesRequest } from '../../src/otlp/proto-codec.js';
import { difyReceiverFactory } from '../../src/receivers/dify/factory.js';
import type { DifyReceiver } from '../../src/receivers/dify/receiver.js';
import { fixtureText } from '../../src/receivers/dify/test-fixtures.js';
import { opikReceiverFactory } from '../../src/receivers/opik/factory.js';
import type { OpikReceiver } from '../../src/receivers/opik/receiver.js';
import { otlpConfigSchema } from '../../src/receivers/otlp/config.js';
import { createOtlpReceiver, type OtlpReceiver } from '../../src/receivers/otlp/receiver.js';
import { TestHost, testSettings } from '../../src/testing/settings.js';
import { TracesSink } from '../../src/testing/sink.js';
import { difyCase } from './dify-cases.js';
import { FRAMING_LIES, framingLie, grpcClient, post, stallOf } from './harness.js';
import { opikCase } from './opik-cases.js';
import { type FuzzCase, gzipBomb, jsonCase, protobufCase, randomTraces } from './otlp-cases.js';
import { Random } from './random.js';

const CASES = Number(process.env.FUZZ_CASES ?? 150);
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_612);
/** Time for one receiver's cases: generous, as large cases take a second each on a busy machine. */
const TIMEOUT_MS = Math.max(60_000, CASES * 400);
/** The bound on how long one request may hold the event loop. */
const MAX_STALL_MS = 100;

let otlp: OtlpReceiver;
let dify: DifyReceiver;
let opik: OpikReceiver;
const sink = new TracesSink();
let bomb: Buffer;

beforeAll(async () => {
  otlp = createOtlpReceiver(
    testSettings('receiver', 'otlp'),
    otlpConfigSchema.parse({
      protocols: { http: { endpoint: '127.0.0.1:0' }, grpc: { endpoint: '127.0.0.1:0' } },
    }),
    sink,
  );
  await otlp.start(new TestHost());
  dify = difyReceiverFactory.create(
    testSettings('receiver', 'dify'),
    difyReceiverFactory.configSchema.parse({
      ...difyReceiverFactory.createDefaultConfig(),
      endpoint: '127.0.0.1:0',
    }),
    sink,
  ) as DifyReceiver;
  await dify.start(new TestHost());
  opik = opikReceiverFactory.create(
    testSettings('receiver', 'opik'),
    opikReceiverFactory.configSchema.parse({
      ...opikReceiverFactory.createDefaultConfig(),
      endpoint: '127.0.0.1:0',
      relay: {
        enabled: false,
        endpoint: 'http://localhost:5173/api',
        api_key: '',
        workspace: 'default',
        timeout: '5s',
      },
    }),
    sink,
  ) as OpikReceiver;
  await opik.start();
  // 100 MiB of zeros in 100 KB: five times max_request_body_size once inflated.
  bomb = gzipBomb(100);
});

afterAll(async () => {
  await Promise.all([otlp.shutdown(), dify.shutdown(), opik.shutdown()]);
});

interface Outcome {
  readonly kind: string;
  readonly status: number;
  /** The longest block of the event loop by this process's own work (see `stallOf`). */
  readonly stallMs: number;
  /** The same, wall-clock, as perf_hooks' event-loop delay histogram saw it. */
  readonly wallMs: number;
}

/** Runs `count` cases through `send`, each measured alone; returns every outcome. */
async function fuzz<C extends FuzzCase>(
  name: string,
  make: (r: Random) => C,
  send: (c: C) => Promise<number>,
  stillServes: () => Promise<boolean>,
): Promise<Outcome[]> {
  const r = new Random(SEED ^ hashName(name));
  const outcomes: Outcome[] = [];
  for (let i = 0; i < CASES; i++) {
    const c = make(r);
    let { result: status, stallMs, wallMs } = await stallOf(() => send(c));
    // A stall our code causes happens every time; one from collecting an earlier case's garbage
    // does not: a slow case is measured twice more, and the least of the three counts.
    for (let again = 0; again < 2 && stallMs >= MAX_STALL_MS; again++) {
      sink.reset();
      const next = await stallOf(() => send(c));
      stallMs = Math.min(stallMs, next.stallMs);
      wallMs = Math.min(wallMs, next.wallMs);
    }
    outcomes.push({ kind: c.kind, status, stallMs, wallMs });
    sink.reset();
  }
  expect(await stillServes()).toBe(true);
  return outcomes;
}

function hashName(name: string): number {
  let h = 0;
  for (const ch of name) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
  return h;
}

/** Fails with the first case that broke a rule, named by kind and index, so it can be replayed. */
function check(name: string, outcomes: readonly Outcome[], ok: (status: number) => boolean): void {
  const statuses = new Map<number, number>();
  for (const o of outcomes) statuses.set(o.status, (statuses.get(o.status) ?? 0) + 1);
  const stalls = outcomes.map((o) => o.stallMs).sort((a, b) => a - b);
  const wall = Math.max(...outcomes.map((o) => o.wallMs));
  console.log(
    `${name}: ${outcomes.length} cases, answers ${JSON.stringify(Object.fromEntries(statuses))}, longest event-loop stall ${stalls.at(-1)!.toFixed(0)} ms (p99 ${stalls[Math.floor(stalls.length * 0.99)]!.toFixed(0)} ms; wall-clock max ${wall.toFixed(0)} ms)`,
  );
  const bad = outcomes.findIndex((o) => !ok(o.status));
  expect(bad === -1 ? undefined : { case: bad, seed: SEED, ...outcomes[bad] }).toBeUndefined();
  const slowest = outcomes.reduce((a, b) => (b.stallMs > a.stallMs ? b : a), outcomes[0]!);
  expect(slowest.stallMs, `slowest case: ${slowest.kind}`).toBeLessThan(MAX_STALL_MS);
}

const httpOk = (s: number) => (s >= 200 && s < 300) || (s >= 400 && s < 500);
// gRPC: OK, INVALID_ARGUMENT, RESOURCE_EXHAUSTED (message or span count too large).
const grpcOk = (code: number) => code === 0 || code === 3 || code === 8;

const validOtlp = () => Buffer.from(encodeTracesRequest(randomTraces(new Random(1), 3)));

describe(`receivers under fuzzing (${CASES} cases each, seed ${SEED})`, () => {
  const otlpUrl = () => `http://${otlp.addresses.http}/v1/traces`;
  const otlpServes = async () =>
    (await post(otlpUrl(), validOtlp(), { 'content-type': 'application/x-protobuf' })).status ===
    200;
  const difyUrl = () => `http://${dify.address}/v1/dify/traces`;
  const difyServes = async () =>
    (
      await post(difyUrl(), Buffer.from(fixtureText('message_chat.json')), {
        'content-type': 'application/json',
      })
    ).status === 200;

  it(
    'otlp over HTTP, protobuf',
    async () => {
      const out = await fuzz(
        'otlp-http-protobuf',
        (r) => protobufCase(r, bomb),
        async (c) => (await post(otlpUrl(), c.body, c.headers)).status,
        otlpServes,
      );
      check('otlp/http protobuf', out, httpOk);
    },
    TIMEOUT_MS,
  );

  it(
    'otlp over HTTP, JSON',
    async () => {
      const out = await fuzz(
        'otlp-http-json',
        (r) => jsonCase(r, bomb),
        async (c) => (await post(otlpUrl(), c.body, c.headers)).status,
        otlpServes,
      );
      check('otlp/http json', out, httpOk);
    },
    TIMEOUT_MS,
  );

  it(
    'otlp over gRPC',
    async () => {
      const client = grpcClient(otlp.addresses.grpc!);
      try {
        const out = await fuzz(
          'otlp-grpc',
          // gRPC compresses on its own: a request's gzip cases go as their raw bytes.
          (r) => protobufCase(r, bomb),
          async (c) => (await client.send(c.body)).code,
          async () => (await client.send(validOtlp())).code === 0,
        );
        check('otlp/grpc', out, grpcOk);
      } finally {
        client.close();
      }
    },
    TIMEOUT_MS,
  );

  it(
    'dify',
    async () => {
      const out = await fuzz(
        'dify',
        (r) => difyCase(r, bomb),
        async (c) => (await post(difyUrl(), c.body, c.headers)).status,
        difyServes,
      );
      check('dify', out, httpOk);
    },
    TIMEOUT_MS,
  );

  const opikUrl = (path: string) => `http://${opik.address}${path}`;
  const opikServes = async () =>
    (
      await post(
        opikUrl('/api/v1/private/traces/batch'),
        Buffer.from(
          '{"traces":[{"id":"019ad8f1-3a40-7000-8000-000000000001","name":"ok","start_time":"2026-12-01T09:00:00Z"}]}',
        ),
        { 'content-type': 'application/json' },
      )
    ).status === 204;

  it(
    'opik',
    async () => {
      const out = await fuzz(
        'opik',
        (r) => opikCase(r, bomb),
        async (c) => (await post(opikUrl(c.path), c.body, c.headers, c.method)).status,
        opikServes,
      );
      check('opik', out, httpOk);
    },
    TIMEOUT_MS,
  );

  it('survives HTTP framing lies on every HTTP receiver', async () => {
    for (const [address, path, serves] of [
      [otlp.addresses.http!, '/v1/traces', otlpServes],
      [dify.address!, '/v1/dify/traces', difyServes],
      [opik.address!, '/api/v1/private/traces/batch', opikServes],
    ] as const) {
      for (let i = 0; i < FRAMING_LIES; i++) {
        const answer = await framingLie(address, path, i);
        expect(answer === '' || /^HTTP\/1\.1 (2|4)\d\d/.test(answer), `lie ${i}: ${answer}`).toBe(
          true,
        );
      }
      expect(await serves()).toBe(true);
    }
  });
});
