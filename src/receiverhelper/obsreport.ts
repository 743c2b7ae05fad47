import type { Settings } from '../component/types.js';
import type { ErrorCode } from '../errors/codes.js';

/** Counts a receiver's spans under the Collector's names, for one transport. */
export interface ReceiverReport {
  /** Pushed into the pipeline and acknowledged. */
  accepted(spans: number): void;
  /** The pipeline said no (the client is told to retry, or that the data failed). */
  refused(spans: number): void;
  /** Decoded but invalid: never reached the pipeline. */
  failed(spans: number): void;
  /** A request turned away before its spans could be counted (bad body, wrong type, too large...). */
  badRequest(reason: ErrorCode): void;
}

export function receiverReport(settings: Settings, transport: string): ReceiverReport {
  const labels = { receiver: settings.id, transport };
  const accepted = settings.telemetry.receiverAcceptedSpans.labels(labels);
  const refused = settings.telemetry.receiverRefusedSpans.labels(labels);
  const failed = settings.telemetry.receiverFailedSpans.labels(labels);
  const badRequests = settings.telemetry.counter(
    'otelcol_receiver_bad_requests_total',
    'Requests rejected before reaching the pipeline, by error code.',
    ['receiver', 'transport', 'code'],
  );
  return {
    badRequest: (code) => badRequests.labels({ ...labels, code }).inc(),
    accepted: (n) => accepted.inc(n),
    refused: (n) => refused.inc(n),
    failed: (n) => failed.inc(n),
  };
}
