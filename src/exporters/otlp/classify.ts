import { type Metadata, status } from '@grpc/grpc-js';
import { PermanentError, RetryableError } from '../../errors/errors.js';
import { decodeStatus } from '../../otlp/proto-codec.js';

/** What a failed call said: its gRPC code, message, and trailers (which may carry a `RetryInfo`). */
export interface GrpcFailure {
  readonly code: number;
  readonly details: string;
  readonly metadata?: Metadata;
}

/** Codes worth another attempt, as the Collector's OTLP/gRPC exporter and the OTLP spec list them. */
const RETRYABLE = new Set<number>([
  status.CANCELLED,
  status.DEADLINE_EXCEEDED,
  status.ABORTED,
  status.OUT_OF_RANGE,
  status.UNAVAILABLE,
  status.DATA_LOSS,
]);

/**
 * The one classification of a failed OTLP/gRPC export: the codes above are retryable,
 * RESOURCE_EXHAUSTED only when the server sent a `RetryInfo` (it says it can recover), every other
 * code is permanent. A `RetryInfo` delay becomes the least wait before the next attempt.
 */
export function classifyGrpcFailure(f: GrpcFailure, target: string): Error {
  const retryDelayMs = retryDelayOf(f.metadata);
  const name = status[f.code] ?? String(f.code);
  const message = `OTLP/gRPC export to ${target} failed: ${name}${f.details ? `: ${f.details}` : ''}`;
  const retryable =
    RETRYABLE.has(f.code) || (f.code === status.RESOURCE_EXHAUSTED && retryDelayMs !== undefined);
  if (!retryable) return new PermanentError('ERR_EXPORT_REJECTED', message);
  // The call's deadline is the exporter's `timeout`: the same failure as the attempt's own timer,
  // whichever of the two fires first.
  const code = f.code === status.DEADLINE_EXCEEDED ? 'ERR_EXPORT_TIMEOUT' : 'ERR_EXPORT_FAILED';
  return new RetryableError(code, message, {
    retryAfterMs: retryDelayMs || undefined,
    throttled: f.code === status.RESOURCE_EXHAUSTED,
  });
}

/** The `RetryInfo` delay in the `grpc-status-details-bin` trailer, if the server sent one. */
function retryDelayOf(metadata: Metadata | undefined): number | undefined {
  const raw = metadata?.get('grpc-status-details-bin')[0];
  if (!(raw instanceof Buffer)) return undefined;
  try {
    return decodeStatus(raw).retryDelayMs;
  } catch {
    return undefined;
  }
}
