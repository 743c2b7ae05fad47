// Where the collector's CPU goes per span, measured in one process without HTTP: decoding ten
// 100-span OTLP requests into the internal model (as the receiver does); then, for the
// 1000-span batch they make (as the batch processor hands it on), the opik exporter's mapping
// (ids and Opik objects), encoding the OTLP body it sends, and gzip at the exporter's default
// level. Then the same for the path otlp → batch → opik takes when nothing between reads spans
// (`wire`): the requests scanned instead of decoded (`otlp/proto-scan.ts`), joined as bytes, the
// exporter's ids and OTLP spans written from the bytes, the body written from those. Prints one
// JSON line of microseconds per span, and that level. Needs a build.
import { gzipSync } from 'node:zlib';
import { assignIds } from '../dist/exporters/opik/assign-ids.js';
import { createDefaultOpikConfig } from '../dist/exporters/opik/config.js';
import { preparePayload } from '../dist/exporters/opik/payload.js';
import { RecentIds } from '../dist/exporters/opik/recent-ids.js';
import { NO_LIMITS } from '../dist/otlp/limits.js';
import {
  decodeTracesRequest,
  encodeSpansRequest,
  encodeTracesRequest,
} from '../dist/otlp/proto-codec.js';
import { scanTracesRequest } from '../dist/otlp/proto-scan.js';
import { joinWire, WireTraces } from '../dist/pdata/wire-traces.js';
import { memoryIdStore } from '../dist/storage/memory-id-store.js';
import { makeRequestBody } from './request.mjs';

const REQUESTS = 10;
const SPANS = REQUESTS * 100;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const WARMUP = 20;
const { level } = createDefaultOpikConfig().compression_params;
const bodies = Array.from({ length: 20 * REQUESTS }, () => makeRequestBody(SPANS / REQUESTS));
const store = memoryIdStore({ ttlMs: 3 * 3_600_000, maxEntries: 100_000, namespace: 'bench' });
const options = { projectName: 'bench', adjust() {}, recentTraceRows: new RecentIds(10_000) };
const totals = { decode: 0, map: 0, encode: 0, gzip: 0 };
for (let i = 0; i < WARMUP + ROUNDS; i++) {
  const t0 = performance.now();
  const batch = [];
  for (let r = 0; r < REQUESTS; r++) {
    batch.push(decodeTracesRequest(bodies[(i * REQUESTS + r) % bodies.length]));
  }
  const traces = { resourceSpans: batch.flatMap((t) => t.resourceSpans) };
  const t1 = performance.now();
  const payload = preparePayload(await assignIds(traces, store), options);
  const t2 = performance.now();
  const [rs] = traces.resourceSpans;
  const body = encodeTracesRequest({
    resourceSpans: [
      {
        ...rs,
        scopeSpans: [
          { ...rs.scopeSpans[0], spans: payload.spans.flatMap((s) => s.otlp('2.2').span ?? []) },
        ],
      },
    ],
  });
  const t3 = performance.now();
  gzipSync(body, { level });
  const t4 = performance.now();
  if (i < WARMUP) continue;
  totals.decode += t1 - t0;
  totals.map += t2 - t1;
  totals.encode += t3 - t2;
  totals.gzip += t4 - t3;
}

const wireStore = memoryIdStore({ ttlMs: 3 * 3_600_000, maxEntries: 100_000, namespace: 'wire' });
const wireOptions = { ...options, recentTraceRows: new RecentIds(10_000) };
const wireTotals = { scan: 0, map: 0, encode: 0, gzip: 0 };
for (let i = 0; i < WARMUP + ROUNDS; i++) {
  const t0 = performance.now();
  const batch = [];
  for (let r = 0; r < REQUESTS; r++) {
    const bytes = bodies[(i * REQUESTS + r) % bodies.length];
    const { spans, groups } = scanTracesRequest(bytes, NO_LIMITS);
    batch.push(new WireTraces(bytes, spans, groups));
  }
  const traces = joinWire(batch);
  const t1 = performance.now();
  const payload = preparePayload(await assignIds(traces, wireStore), wireOptions);
  const t2 = performance.now();
  const body = encodeSpansRequest(
    payload.spans.flatMap((s) => {
      const form = s.otlp('2.2');
      return form.message ?? form.span ?? [];
    }),
  );
  const t3 = performance.now();
  gzipSync(body, { level });
  const t4 = performance.now();
  if (i < WARMUP) continue;
  wireTotals.scan += t1 - t0;
  wireTotals.map += t2 - t1;
  wireTotals.encode += t3 - t2;
  wireTotals.gzip += t4 - t3;
}

const perSpan = (t) =>
  Object.fromEntries(
    Object.entries(t).map(([k, ms]) => [k, Number(((ms * 1000) / ROUNDS / SPANS).toFixed(2))]),
  );
process.stdout.write(
  `${JSON.stringify({ ...perSpan(totals), gzipLevel: level, wire: perSpan(wireTotals) })}\n`,
);
