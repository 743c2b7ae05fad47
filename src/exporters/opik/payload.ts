import type { Span, Traces } from '../../pdata/traces.js';
import type { DeadLetterEntry } from './dead-letter.js';
import type { ExplicitIds } from './explicit-ids.js';
import { uuidV7Timestamp } from './ids.js';
import { windowVerdict } from './limits.js';
import { isoMs, type MappingContext, mapSpan, type SpanRef } from './mapping.js';
import type { OpikSpan, OpikTrace } from './opik-types.js';
import { type ReceivedObject, takeReceivedObjects } from './received-objects.js';
import type { RecentIds } from './recent-ids.js';
import { resolveIds } from './resolve-ids.js';
import type { TraceTimestampStore } from './trace-memory.js';
import type { Json } from './values.js';

export interface SpanEntry {
  readonly ref: SpanRef;
  /** The full Opik object, built on first use (see `MappedSpan.opik`). */
  readonly opik: OpikSpan;
  /** The OTLP form, or null when only the REST API can write this span exactly. */
  readonly otlp: Span | null;
  done: boolean;
}

export interface TraceEntry {
  readonly opik: OpikTrace;
  readonly placeholder: boolean;
  done: boolean;
}

/** An update the `opik` receiver took in (a PATCH), sent as one after the creates. */
export interface UpdateEntry {
  readonly entity: 'trace' | 'span';
  readonly id: string;
  readonly body: { [key: string]: Json };
  done: boolean;
}

/**
 * One batch, mapped once for every attempt and path: spans and trace rows with their Opik ids,
 * and which of them are delivered (or dead-lettered) already, so that a retry, or the other
 * path after a switch, sends only what is left.
 */
export interface Payload {
  readonly spans: SpanEntry[];
  readonly traces: TraceEntry[];
  readonly updates: UpdateEntry[];
  /** Items set aside before sending (outside the ingestion window). */
  readonly refused: DeadLetterEntry[];
  deadLetteredSpans: number;
}

export interface PrepareOptions extends MappingContext {
  readonly store: TraceTimestampStore;
  /** Explicit Opik ids seen on earlier spans, applied to later spans of the same trace. */
  readonly explicitIds?: ExplicitIds;
  /** Trace ids whose real row went out lately: no placeholder needed for them. */
  readonly recentTraceRows: RecentIds;
  /** Set when ids outside Opik's ingestion window are set aside; `undefined` = send all. */
  readonly window?: { readonly ms: number; readonly now: () => number };
}

const EPOCH = '1970-01-01T00:00:00.000Z';

export async function preparePayload(traces: Traces, o: PrepareOptions): Promise<Payload> {
  const { received, rest } = takeReceivedObjects(traces, o.projectName);
  const resolved = await resolveIds(rest, o.store, o.explicitIds);
  const spans: SpanEntry[] = [];
  const roots = new Map<string, OpikTrace>();
  const firstSpan = new Map<string, SpanRef>();
  for (const item of resolved) {
    const mapped = mapSpan(item, o);
    spans.push({
      ref: mapped.ref,
      get opik() {
        return mapped.opik();
      },
      otlp: mapped.otlp,
      done: false,
    });
    const tid = mapped.ref.trace_id;
    const known = roots.get(tid);
    // Two top-level spans in one trace: the earlier one stands for the trace, as it would in Opik.
    if (mapped.trace && (!known || mapped.trace.start_time < known.start_time))
      roots.set(tid, mapped.trace);
    const first = firstSpan.get(tid);
    if (!first || mapped.ref.startMs < first.startMs) firstSpan.set(tid, mapped.ref);
  }
  const traceEntries: TraceEntry[] = [...roots.values()].map((t) => ({
    opik: t,
    placeholder: false,
    done: false,
  }));
  for (const [tid, span] of firstSpan) {
    if (roots.has(tid) || o.recentTraceRows.has(tid)) continue;
    traceEntries.push({ opik: placeholderRow(tid, span), placeholder: true, done: false });
  }
  const payload: Payload = {
    spans,
    traces: traceEntries,
    updates: [],
    refused: [],
    deadLetteredSpans: 0,
  };
  addReceived(payload, received);
  if (o.window) setAsideOutsideWindow(payload, o.window.ms, o.window.now());
  return payload;
}

/** Opik objects received as such: their own rows, REST only, never a placeholder (received-objects.ts). */
function addReceived(p: Payload, received: readonly ReceivedObject[]): void {
  for (const r of received) {
    if (r.write === 'update')
      p.updates.push({ entity: r.entity, id: r.id, body: r.body, done: false });
    else if (r.entity === 'trace') p.traces.push({ opik: r.item, placeholder: false, done: false });
    else p.spans.push({ ref: r.ref, opik: r.item, otlp: null, done: false });
  }
}

/**
 * A stand-in row for a trace whose top-level span is not in this batch (it comes later, lives in
 * another service, or was sampled out): Opik shows no trace without a row. Its `last_updated_at`
 * is the epoch, so the real row wins the upsert whichever arrives first.
 */
function placeholderRow(traceId: string, earliest: SpanRef): OpikTrace {
  return {
    id: traceId,
    project_name: earliest.project_name,
    name: earliest.name,
    start_time: isoMs(uuidV7Timestamp(traceId)),
    source: 'sdk',
    last_updated_at: EPOCH,
  };
}

function setAsideOutsideWindow(p: Payload, windowMs: number, nowMs: number): void {
  const check = (id: string) => windowVerdict(uuidV7Timestamp(id), nowMs, windowMs);
  for (const s of p.spans) {
    const verdict = check(s.ref.id);
    if (verdict === 'ok') continue;
    s.done = true;
    p.deadLetteredSpans++;
    p.refused.push({ kind: 'span', reason: outsideReason(verdict, windowMs), item: s.opik });
  }
  for (const t of p.traces) {
    const verdict = check(t.opik.id);
    if (verdict === 'ok') continue;
    t.done = true;
    if (!t.placeholder)
      p.refused.push({ kind: 'trace', reason: outsideReason(verdict, windowMs), item: t.opik });
  }
}

function outsideReason(verdict: string, windowMs: number): string {
  const hours = Math.round(windowMs / 3_600_000);
  return `id outside Opik's ingestion window of ${hours}h around now (${verdict}); not sent (ingestion_window.outside: dead_letter)`;
}
