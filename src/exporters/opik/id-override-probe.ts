import { randomBytes } from 'node:crypto';
import { opikIdFromOtel } from '../../opik-ids/otel.js';
import { newUuidV7 } from '../../opik-ids/uuid.js';
import { makeSpan, makeTraces } from '../../pdata/span.js';
import { classify, type Verdict } from './classify.js';
import type { OpikHttp } from './client.js';
import type { Encode } from './otlp-delivery.js';
import { toJson } from './values.js';

export type ProbeResult =
  /** Opik stored the probe span under the id it was given: `opik.*` overrides work (2.1+). */
  | { readonly kind: 'overrides' }
  /** Opik stored it under its own derived id: an Opik before 2.1. */
  | { readonly kind: 'no-overrides' }
  /** Any other answer, to be classified by the caller (no OTLP route, credentials, outage). */
  | {
      readonly kind: 'answer';
      readonly verdict: Verdict;
      readonly step: 'trace' | 'otlp' | 'read';
    };

const PROBE_NAME = 'dify-opik-collector id-override probe';

/**
 * Finds out whether this Opik honours the `opik.trace_id`/`opik.span_id` span attributes: it
 * writes a probe trace through REST, sends one OTLP span pointing at it, reads the span back by
 * the id it asked for, then deletes what it wrote (also the trace an older Opik creates from the
 * span itself, whose id is computable). The probe lives a few milliseconds in the project.
 */
export async function probeIdOverrides(
  http: OpikHttp,
  projectName: string,
  encode: Encode,
  now: () => number,
  signal: AbortSignal,
): Promise<ProbeResult> {
  const startMs = now();
  const traceId = newUuidV7(startMs);
  const spanId = newUuidV7(startMs);
  const otelTraceId = randomBytes(16);
  const start = new Date(startMs).toISOString();
  const trace = {
    id: traceId,
    project_name: projectName,
    name: PROBE_NAME,
    start_time: start,
    end_time: start,
    source: 'sdk',
  };
  const wrote = classify(
    await http.postJson('/v1/private/traces/batch', toJson({ traces: [trace] }), signal),
    'rest',
    now(),
  );
  if (wrote.kind !== 'ok') return { kind: 'answer', verdict: wrote, step: 'trace' };
  try {
    const span = makeSpan({
      traceId: otelTraceId.toString('hex'),
      spanId: randomBytes(8).toString('hex'),
      name: PROBE_NAME,
      startTimeUnixNano: BigInt(startMs) * 1_000_000n,
      endTimeUnixNano: BigInt(startMs) * 1_000_000n,
      attributes: [
        { key: 'opik.trace_id', value: traceId },
        { key: 'opik.span_id', value: spanId },
      ],
    });
    const sent = classify(await http.postOtlp(encode(makeTraces([span])), signal), 'otlp', now());
    if (sent.kind !== 'ok') return { kind: 'answer', verdict: sent, step: 'otlp' };
    const read = await http.get(`/v1/private/spans/${spanId}`, signal);
    if (read.status === 404) return { kind: 'no-overrides' };
    const verdict = classify(read, 'rest', now());
    if (verdict.kind !== 'ok') return { kind: 'answer', verdict, step: 'read' };
    const stored = JSON.parse(read.body) as { trace_id?: string };
    return stored.trace_id === traceId ? { kind: 'overrides' } : { kind: 'no-overrides' };
  } finally {
    const derived = opikIdFromOtel(otelTraceId, startMs);
    await http
      .postJson('/v1/private/traces/delete', toJson({ ids: [traceId, derived] }), signal)
      .catch(() => undefined);
  }
}
