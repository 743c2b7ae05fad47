import { eachSpan } from '../../pdata/split.js';
import type { Traces } from '../../pdata/traces.js';
import { wireOf } from '../../pdata/wire-traces.js';
import type { DeadLetterEntry } from './dead-letter.js';
import type { MappingContext, OtlpForm, SpanRef } from './mapping.js';
import type { OpikSpan, OpikTrace } from './opik-types.js';
import type { OpikEncoding } from './opik-version.js';
import { PayloadBuilder } from './payload-builder.js';
import { takeReceivedObjects } from './received-objects.js';
import type { RecentIds } from './recent-ids.js';
import type { Json } from './values.js';
import { prepareWirePayload } from './wire-payload.js';

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

/**
 * Maps a batch whose spans carry their Opik ids (`assignIds`) once, for every attempt and path.
 * Opik objects the `opik` receiver took in are taken out first and written back as they came. A
 * batch in its wire form is mapped without decoding it (`wire-payload.ts`) where it can be.
 */
export function preparePayload(traces: Traces, o: PrepareOptions): Payload {
  const wire = wireOf(traces);
  if (wire) {
    const payload = prepareWirePayload(wire, o);
    if (payload) return payload;
  }
  const { received, rest } = takeReceivedObjects(traces, o.projectName);
  const builder = new PayloadBuilder();
  for (const { resource, scope, span } of eachSpan(rest)) builder.addSpan(resource, scope, span, o);
  return builder.finish(o, received);
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
