import { decodeTracesRequest, encodeTracesRequest } from '../../otlp/proto-codec.js';
import type { Traces } from '../../pdata/traces.js';

/**
 * A parked record: spans filed under a stand-in Opik trace because their trace's Opik id was not
 * known yet, kept as they came (OTLP protobuf, base64) with the stand-in's id, so that they can be
 * moved under the trace once a span states its id.
 */
export interface Parked {
  /** The derived Opik trace id the spans were written under. */
  readonly standIn: string;
  readonly traces: Traces;
}

export function parkedRecord(p: Parked): string {
  return `${p.standIn} ${Buffer.from(encodeTracesRequest(p.traces)).toString('base64')}`;
}

export function readParked(record: string): Parked {
  const space = record.indexOf(' ');
  return {
    standIn: record.slice(0, space),
    traces: decodeTracesRequest(Buffer.from(record.slice(space + 1), 'base64')),
  };
}

/**
 * The attribute that marks a moved span with the stand-in traces (a string array) to remove once
 * it is delivered; read by the exporter, never sent.
 */
export const MOVED_FROM = 'opik.moved_from_trace_id';

/**
 * The attribute that marks a parked span (its OTel trace id): written under a stand-in trace
 * that any later write of it replaces (`last_updated_at` the epoch), and not written at all once
 * its trace's Opik id is known (it moved meanwhile); read by the exporter, never sent.
 */
export const PARKED = 'opik.parked_in_trace';
