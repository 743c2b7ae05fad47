import { uuidV7Timestamp } from '../../opik-ids/uuid.js';
import { getAttribute, getString } from '../../pdata/attributes.js';
import { eachSpan } from '../../pdata/split.js';
import type { Traces } from '../../pdata/traces.js';
import { assignedIds } from './assign-ids.js';
import type { DeadLetterEntry } from './dead-letter.js';
import { windowVerdict } from './limits.js';
import { isoMs, type MappingContext, mapSpan, type OtlpForm, type SpanRef } from './mapping.js';
import type { OpikSpan, OpikTrace } from './opik-types.js';
import type { OpikEncoding } from './opik-version.js';
import { MOVED_FROM, PARKED } from './parked.js';
import { type ReceivedObject, takeReceivedObjects } from './received-objects.js';
import type { RecentIds } from './recent-ids.js';
import type { Json } from './values.js';

export interface SpanEntry {
  readonly ref: SpanRef;
  /** Set on a parked span: its OTel trace id (skipped once that trace's Opik id is known). */
  readonly parkedIn?: string;
  /** The full Opik object, built on first use (see `MappedSpan.opik`). */
  readonly opik: OpikSpan;
  /** The OTLP form for an Opik version, or why only the REST API can write this span exactly. */
  readonly otlp: (encoding: OpikEncoding) => OtlpForm;
  done: boolean;
}

/** A stand-in trace whose spans moved under their real trace: removed once they are delivered. */
export interface StandInEntry {
  readonly id: string;
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
  readonly standIns: StandInEntry[];
  readonly updates: UpdateEntry[];
  /** Items set aside before sending (outside the ingestion window). */
  readonly refused: DeadLetterEntry[];
  deadLetteredSpans: number;
}

export interface PrepareOptions extends MappingContext {
  /** Trace ids whose real row went out lately: no placeholder needed for them. */
  readonly recentTraceRows: RecentIds;
  /** Set when ids outside Opik's ingestion window are set aside; `undefined` = send all. */
  readonly window?: { readonly ms: number; readonly now: () => number };
}

const EPOCH = '1970-01-01T00:00:00.000Z';
const VIA_REST = { blocker: 'moved from or parked under a stand-in trace' } as const;
const RECEIVED = { blocker: 'an Opik object received as such (received-objects.ts)' } as const;

/**
 * Maps a batch whose spans carry their Opik ids (`assignIds`) once, for every attempt and path.
 * Opik objects the `opik` receiver took in are taken out first and written back as they came.
 */
export function preparePayload(traces: Traces, o: PrepareOptions): Payload {
  const { received, rest } = takeReceivedObjects(traces, o.projectName);
  const spans: SpanEntry[] = [];
  const roots = new Map<string, OpikTrace>();
  const firstSpan = new Map<string, SpanRef>();
  const standIns = new Set<string>();
  for (const { resource, scope, span } of eachSpan(rest)) {
    const mapped = mapSpan({ resource, scope, span, ids: assignedIds(span) }, o);
    const movedFrom = getAttribute(span.attributes, MOVED_FROM);
    if (Array.isArray(movedFrom)) for (const id of movedFrom) standIns.add(String(id));
    const parkedIn = getString(span.attributes, PARKED);
    let opik: OpikSpan | undefined;
    spans.push({
      ref: mapped.ref,
      parkedIn,
      get opik() {
        opik ??= parkedIn ? { ...mapped.opik(), last_updated_at: EPOCH } : mapped.opik();
        return opik;
      },
      // Moved and parked spans go through REST, the one path that writes `last_updated_at`
      // (README, "Order of arrival").
      otlp: movedFrom === undefined && parkedIn === undefined ? mapped.otlp : () => VIA_REST,
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
    standIns: [...standIns].map((id) => ({ id, done: false })),
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
    else p.spans.push({ ref: r.ref, opik: r.item, otlp: () => RECEIVED, done: false });
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

/** Whether anything of the payload is still to be written. */
export function pending(p: Payload): boolean {
  return (
    p.spans.some((s) => !s.done) ||
    p.traces.some((t) => !t.done) ||
    p.standIns.some((t) => !t.done) ||
    p.updates.some((u) => !u.done)
  );
}

/**
 * Marks delivered (not sent) the parked spans whose trace's Opik id is known by now: the batch
 * that stated it took them and writes them under it; written here, under their stand-in, they
 * could land after that batch removed the stand-in. Their placeholder rows go with them.
 */
export async function skipMoved(
  payload: Payload,
  knownTraces: (otelTraceIds: string[]) => Promise<ReadonlyMap<string, string>>,
): Promise<void> {
  const parked = payload.spans.filter((s) => s.parkedIn !== undefined && !s.done);
  if (parked.length === 0) return;
  const known = await knownTraces([...new Set(parked.map((s) => s.parkedIn!))]);
  const moved = parked.filter((s) => known.has(s.parkedIn!));
  for (const s of moved) s.done = true;
  const standIns = new Set(moved.map((s) => s.ref.trace_id));
  for (const s of payload.spans) if (!s.done) standIns.delete(s.ref.trace_id);
  for (const t of payload.traces) if (t.placeholder && standIns.has(t.opik.id)) t.done = true;
}
