import type { Settings } from '../../component/types.js';
import type { RelayOutcome } from './relay.js';

/** The writes the receiver serves itself, as the `route` label. */
export type WriteRoute =
  | 'traces_batch'
  | 'spans_batch'
  | 'trace'
  | 'span'
  | 'trace_update'
  | 'span_update';

export interface OpikReceiverMetrics {
  /** Items taken by the pipeline (answered 2xx). */
  accepted(route: WriteRoute, items: number): void;
  /** Items the pipeline refused for now (answered 429) or for good (500). */
  refused(route: WriteRoute, items: number): void;
  /** Requests answered with one of Opik's 4xx (body, types, validation, ids, auth). */
  rejected(route: WriteRoute | 'other', status: number): void;
  relayed(outcome: RelayOutcome): void;
}

export function opikReceiverMetrics(settings: Settings): OpikReceiverMetrics {
  const t = settings.telemetry;
  const items = t.counter(
    'otelcol_receiver_opik_items_total',
    'Opik traces and spans (creates and updates) by route and outcome: accepted by the pipeline, or refused by it.',
    ['receiver', 'route', 'outcome'],
  );
  const rejected = t.counter(
    'otelcol_receiver_opik_rejected_requests_total',
    'Requests the opik receiver answered with one of Opik’s client errors, by route and status.',
    ['receiver', 'route', 'status'],
  );
  const relayed = t.counter(
    'otelcol_receiver_opik_relayed_requests_total',
    'Requests forwarded to Opik unchanged, by the class of Opik’s answer (or unreachable).',
    ['receiver', 'outcome'],
  );
  const receiver = settings.id;
  return {
    accepted: (route, n) => items.labels({ receiver, route, outcome: 'accepted' }).inc(n),
    refused: (route, n) => items.labels({ receiver, route, outcome: 'refused' }).inc(n),
    rejected: (route, status) => rejected.labels({ receiver, route, status: String(status) }).inc(),
    relayed: (outcome) => relayed.labels({ receiver, outcome }).inc(),
  };
}
