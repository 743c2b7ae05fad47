/**
 * The four ways Dify's traces reach Opik, through the real pipeline: Dify's envelopes POSTed to
 * the `dify` receiver, and the spans of Dify's "Arize Phoenix" (legacy and unified dialects) and
 * "Aliyun" providers POSTed as OTLP/HTTP protobuf to the `otlp` receiver, one collector with the
 * `genai` processor and the `opik` exporter in front of a fresh fake Opik. What Opik stored is
 * read back and projected onto what a person sees of it.
 */
import { encodeTracesRequest } from '../../../src/otlp/proto-codec.js';
import type { Traces } from '../../../src/pdata/traces.js';
import type { DifyReceiver } from '../../../src/receivers/dify/receiver.js';
import type { OtlpReceiver } from '../../../src/receivers/otlp/receiver.js';
import { type FakeOpik, startFakeOpik } from '../../fake-opik/server.js';
import {
  aliyun,
  type DifyRun,
  envelopesOf,
  phoenixLegacy,
  phoenixUnified,
} from '../../fixtures/genai/dify/runs.js';
import { comparable } from '../opik/harness.js';
import { componentOf, startYaml } from '../support/pipeline.js';

export type Path =
  | 'envelope'
  | 'phoenix'
  | 'phoenix, a worker per task'
  | 'unified'
  | 'aliyun 1.16'
  | 'aliyun 1.17';

/** One request as the path's client sends it. */
type Request =
  | { readonly kind: 'otlp'; readonly body: Traces; readonly aliyun?: boolean }
  | { readonly kind: 'dify'; readonly body: unknown };

/** What the path's client sends for `run`, in the order Dify sends it (new OTel ids each call). */
export function requestsOf(path: Path, run: DifyRun): Request[] {
  const otlp = (body: Traces, aliyunPath = false): Request => ({
    kind: 'otlp',
    body,
    aliyun: aliyunPath,
  });
  switch (path) {
    case 'envelope':
      return envelopesOf(run).map((body) => ({ kind: 'dify', body }));
    case 'phoenix':
      return phoenixLegacy(run).map((t) => otlp(t));
    case 'phoenix, a worker per task':
      return phoenixLegacy(run, 'each').map((t) => otlp(t));
    case 'unified':
      return phoenixUnified(run).map((t) => otlp(t));
    case 'aliyun 1.16':
      return aliyun(run, '1.16').map((t) => otlp(t, true));
    case 'aliyun 1.17':
      return aliyun(run, '1.17').map((t) => otlp(t, true));
  }
}

export const fakes: FakeOpik[] = [];

export interface Stored {
  readonly traces: Array<Record<string, unknown>>;
  readonly spans: Array<Record<string, unknown>>;
}

/**
 * Sends `requests` one at a time, each answered before the next (as Dify's exporters do), to a
 * collector in front of a fresh fake Opik; shuts the collector down (the hold gives up on what
 * still waits) and returns what Opik stored.
 */
export async function storedVia(requests: readonly Request[], hold = ''): Promise<Stored> {
  const fake = await startFakeOpik();
  fakes.push(fake);
  const collector = await startYaml(`
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0, dify_aliyun_compat: true }
  dify:
    endpoint: 127.0.0.1:0
processors:
  genai:${hold}
exporters:
  opik:
    endpoint: ${fake.url}/api
    ingestion_window: { check: false }
    retry_on_failure: { initial_interval: 1ms, max_interval: 4ms, max_elapsed_time: 3s }
service:
  telemetry: { metrics: { level: none } }
  pipelines:
    traces: { receivers: [otlp, dify], processors: [genai], exporters: [opik] }
`);
  try {
    const otlp = componentOf<OtlpReceiver>(collector, 'receiver', 'otlp').addresses.http;
    const dify = componentOf<DifyReceiver>(collector, 'receiver', 'dify').address;
    for (const r of requests) {
      const res =
        r.kind === 'dify'
          ? await fetch(`http://${dify}/v1/dify/traces`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(r.body),
            })
          : await fetch(
              `http://${otlp}${r.aliyun ? '/adapt_licence-key/api/otlp/traces' : '/v1/traces'}`,
              {
                method: 'POST',
                headers: { 'content-type': 'application/x-protobuf' },
                body: encodeTracesRequest(r.body),
              },
            );
      if (res.status !== 200)
        throw new Error(`${r.kind} request answered ${res.status}: ${await res.text()}`);
    }
  } finally {
    await collector.shutdown();
  }
  return { traces: comparable(fake.traces()), spans: comparable(fake.spans()) };
}

/** Each OTLP request's spans in requests of their own. */
export function bySpan(requests: readonly Request[]): Request[] {
  return requests.flatMap((r): Request[] => {
    if (r.kind !== 'otlp') return [r];
    return r.body.resourceSpans.flatMap((rs) =>
      rs.scopeSpans.flatMap((ss) =>
        ss.spans.map((span) => ({
          ...r,
          body: { resourceSpans: [{ ...rs, scopeSpans: [{ ...ss, spans: [span] }] }] },
        })),
      ),
    );
  });
}

/** A shuffle that a seed repeats (mulberry32), so a failing order can be replayed. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
