import { uuidV7Timestamp } from '../../opik-ids/uuid.js';
import { getAttribute, getString } from '../../pdata/attributes.js';
import type { ResourceSpans, ScopeSpans, Span } from '../../pdata/traces.js';
import { assignedIds } from './assign-ids.js';
import { windowVerdict } from './limits.js';
import { isoMs, mapSpan, type SpanRef } from './mapping.js';
import type { OpikSpan, OpikTrace } from './opik-types.js';
import { MOVED_FROM, PARKED } from './parked.js';
import type { Payload, PrepareOptions, SpanEntry, TraceEntry } from './payload.js';
import type { ReceivedObject } from './received-objects.js';

const EPOCH = '1970-01-01T00:00:00.000Z';
const VIA_REST = { blocker: 'moved from or parked under a stand-in trace' } as const;
const RECEIVED = { blocker: 'an Opik object received as such (received-objects.ts)' } as const;

/** Collects a batch's span entries with what they imply: trace rows, placeholders, stand-ins. */
export class PayloadBuilder {
  private readonly spans: SpanEntry[] = [];
  private readonly roots = new Map<string, OpikTrace>();
  private readonly firstSpan = new Map<string, SpanRef>();
  private readonly standIns = new Set<string>();

  /** A span, mapped here by `mapping.ts`. */
  addSpan(resource: ResourceSpans, scope: ScopeSpans, span: Span, o: PrepareOptions): void {
    const mapped = mapSpan({ resource, scope, span, ids: assignedIds(span) }, o);
    const movedFrom = getAttribute(span.attributes, MOVED_FROM);
    if (Array.isArray(movedFrom)) for (const id of movedFrom) this.standIns.add(String(id));
    const parkedIn = getString(span.attributes, PARKED);
    let opik: OpikSpan | undefined;
    this.add(
      {
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
      },
      mapped.trace,
    );
  }

  /** A span entry, with the trace row it stands for when it is the top of its trace. */
  add(entry: SpanEntry, trace?: OpikTrace): void {
    this.spans.push(entry);
    const tid = entry.ref.trace_id;
    const known = this.roots.get(tid);
    // Two top-level spans in one trace: the earlier one stands for the trace, as it would in Opik.
    if (trace && (!known || trace.start_time < known.start_time)) this.roots.set(tid, trace);
    const first = this.firstSpan.get(tid);
    if (!first || entry.ref.startMs < first.startMs) this.firstSpan.set(tid, entry.ref);
  }

  /** The payload: trace rows, then placeholders for traces without one; `received` at the end. */
  finish(o: PrepareOptions, received: readonly ReceivedObject[] = []): Payload {
    const traceEntries: TraceEntry[] = [...this.roots.values()].map((t) => ({
      opik: t,
      placeholder: false,
      done: false,
    }));
    for (const [tid, span] of this.firstSpan) {
      if (this.roots.has(tid) || o.recentTraceRows.has(tid)) continue;
      traceEntries.push({ opik: placeholderRow(tid, span), placeholder: true, done: false });
    }
    const payload: Payload = {
      spans: this.spans,
      traces: traceEntries,
      standIns: [...this.standIns].map((id) => ({ id, done: false })),
      updates: [],
      refused: [],
      deadLetteredSpans: 0,
    };
    addReceived(payload, received);
    if (o.window) setAsideOutsideWindow(payload, o.window.ms, o.window.now());
    return payload;
  }
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
