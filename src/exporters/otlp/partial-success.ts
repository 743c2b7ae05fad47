import type { Logger } from 'pino';
import type { PartialSuccess } from '../../otlp/replies.js';
import type { Traces } from '../../pdata/traces.js';

/**
 * Spans a server accepted the request for but rejected (OTLP `partial_success`). The export
 * succeeded, so nothing is retried, as in the Collector; the rejection is logged as a warning,
 * and the exporter counts those spans as failed instead of sent. The count travels beside the
 * request (the senders between push and exporter pass requests through untouched).
 */
export class PartialRejections {
  private readonly rejected = new WeakMap<Traces, number>();

  constructor(private readonly logger: Logger) {}

  /** Records what a reply said about `traces`; a reply without rejections records nothing. */
  note(traces: Traces, partial: PartialSuccess | undefined): void {
    if (!partial || (partial.rejectedSpans === 0 && partial.errorMessage === '')) return;
    this.logger.warn(
      { rejected_spans: partial.rejectedSpans, message: partial.errorMessage },
      'the server accepted the request but rejected some spans (partial success)',
    );
    this.rejected.set(traces, partial.rejectedSpans);
  }

  /** The spans rejected in the last delivery of `traces`, and forgets them. */
  take(traces: Traces): number {
    const n = this.rejected.get(traces) ?? 0;
    this.rejected.delete(traces);
    return n;
  }
}
