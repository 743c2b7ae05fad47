// Where the collector's CPU goes per span, measured in one process without HTTP, for one request
// shape (bench/request.mjs; `node bench/stages.mjs [testbed|genai]`): decoding ten 100-span OTLP
// requests into the internal model (as the receiver does); the batch processor joining them into
// one 1000-span batch (its buffer, as `send_batch_size: 1000` cuts it); then, for that batch, the
// opik exporter's mapping (ids, Opik objects, and their OTLP form for the newest Opik), encoding
// the OTLP body it sends, and gzip at the exporter's default level. Then the same for the path
// otlp → batch → opik takes when nothing between reads spans (`wire`): the requests scanned
// instead of decoded (`otlp/proto-scan.ts`), joined as bytes, the exporter's ids and OTLP spans
// written from the bytes, the body written from those. Prints one JSON line: microseconds per span
// for each stage (best of BENCH_REPEATS runs of BENCH_ROUNDS batches each, since other processes
// only ever add time), that gzip level, and the wire path's stages under `wire`. Needs a build.
import { gzipSync } from 'node:zlib';
import { assignIds } from '../dist/exporters/opik/assign-ids.js';
import { createDefaultOpikConfig } from '../dist/exporters/opik/config.js';
import { NEWEST_KNOWN_OPIK, opikVersion } from '../dist/exporters/opik/opik-version.js';
import { otlpSpans, splitByPath } from '../dist/exporters/opik/otlp-delivery.js';
import { preparePayload } from '../dist/exporters/opik/payload.js';
import { RecentIds } from '../dist/exporters/opik/recent-ids.js';
import { NO_LIMITS } from '../dist/otlp/limits.js';
import {
  decodeTracesRequest,
  encodeSpansRequest,
  encodeTracesRequest,
} from '../dist/otlp/proto-codec.js';
import { scanTracesRequest } from '../dist/otlp/proto-scan.js';
import { makeTraces } from '../dist/pdata/span.js';
import { WireTraces } from '../dist/pdata/wire-traces.js';
import { PendingBuffer } from '../dist/processors/batch/pending.js';
import { memoryIdStore } from '../dist/storage/memory-id-store.js';
import { makeRequestBody } from './request.mjs';

const shape = process.argv[2] ?? 'testbed';
const REQUESTS = 10;
const SPANS = REQUESTS * 100;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 100);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const WARMUP = 20;
const { level } = createDefaultOpikConfig().compression_params;
const { encoding } = opikVersion(NEWEST_KNOWN_OPIK);
const bodies = Array.from({ length: 20 * REQUESTS }, () =>
  makeRequestBody(SPANS / REQUESTS, shape),
);
const idStore = (namespace) =>
  memoryIdStore({ ttlMs: 3 * 3_600_000, maxEntries: 100_000, namespace });
const options = () => ({
  projectName: 'bench',
  adjust() {},
  recentTraceRows: new RecentIds(10_000),
});

/** A request as the receiver hands it on: decoded, or scanned and kept as its bytes. */
const receive = {
  decoded: (bytes) => decodeTracesRequest(bytes),
  wire(bytes) {
    const { spans, groups } = scanTracesRequest(bytes, NO_LIMITS);
    return new WireTraces(bytes, spans, groups);
  },
};
/** The OTLP body of the spans that go over OTLP (pdata, or each span's message bytes). */
const encode = {
  decoded: (otlp) => encodeTracesRequest(makeTraces(otlpSpans(otlp, encoding))),
  wire: (otlp) => encodeSpansRequest(otlpSpans(otlp, encoding)),
};

let round = 0;
async function measure(rounds, path, store, opts) {
  const totals = { decode: 0, batch: 0, map: 0, encode: 0, gzip: 0 };
  for (let i = 0; i < rounds; i++, round++) {
    const t0 = performance.now();
    const requests = [];
    for (let r = 0; r < REQUESTS; r++) {
      requests.push(receive[path](bodies[(round * REQUESTS + r) % bodies.length]));
    }
    const t1 = performance.now();
    const buffer = new PendingBuffer();
    for (const traces of requests) buffer.add(traces, 100).catch(() => {});
    let batch;
    buffer.cut(SPANS, SPANS, (traces) => {
      batch = traces;
      return Promise.resolve();
    });
    const t2 = performance.now();
    // As the exporter does: ids before its queue, then the Opik objects, then each span's OTLP
    // form for the newest Opik (the spans that must go through REST are left out).
    const payload = preparePayload(await assignIds(batch, store), opts);
    const { otlp } = splitByPath(payload.spans, encoding);
    const t3 = performance.now();
    const body = encode[path](otlp);
    const t4 = performance.now();
    gzipSync(body, { level });
    const t5 = performance.now();
    totals.decode += t1 - t0;
    totals.batch += t2 - t1;
    totals.map += t3 - t2;
    totals.encode += t4 - t3;
    totals.gzip += t5 - t4;
  }
  return totals;
}

/** Microseconds per span of each stage of one path (`decode` is the scan on the wire path). */
async function perSpan(path) {
  const store = idStore(path);
  const opts = options();
  await measure(WARMUP, path, store, opts);
  const best = {};
  for (let r = 0; r < REPEATS; r++) {
    for (const [k, ms] of Object.entries(await measure(ROUNDS, path, store, opts))) {
      const us = (ms * 1000) / ROUNDS / SPANS;
      best[k] = Math.min(best[k] ?? Infinity, us);
    }
  }
  return Object.fromEntries(Object.entries(best).map(([k, us]) => [k, Number(us.toFixed(2))]));
}

const decoded = await perSpan('decoded');
const wire = await perSpan('wire');
process.stdout.write(`${JSON.stringify({ shape, ...decoded, gzipLevel: level, wire })}\n`);
