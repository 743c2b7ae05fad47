import type { Settings } from '../component/types.js';
import type { ErrorCode } from '../errors/codes.js';
import type { Truncations } from '../otlp/limits.js';

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
  /** What the request limits cut from an accepted request (attributes dropped, values cut). */
  truncated(cut: Truncations): void;
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
  const truncated = settings.telemetry.counter(
    'otelcol_receiver_truncated_total',
    'Attributes dropped, and strings and arrays cut, by the receiver limits (limits::*).',
    ['receiver', 'transport', 'limit'],
  );
  return {
    badRequest: (code) => badRequests.labels({ ...labels, code }).inc(),
    truncated: (cut) => {
      if (!cut.any) return;
      if (cut.attributes > 0)
        truncated.labels({ ...labels, limit: 'max_attributes_per_span' }).inc(cut.attributes);
      if (cut.values > 0)
        truncated.labels({ ...labels, limit: 'max_attribute_value_length' }).inc(cut.values);
      if (cut.arrays > 0)
        truncated.labels({ ...labels, limit: 'max_array_length' }).inc(cut.arrays);
    },
    accepted: (n) => accepted.inc(n),
    refused: (n) => refused.inc(n),
    failed: (n) => failed.inc(n),
  };
}
