/**
 * The two replies an OTLP server sends besides "all accepted": a partial success, and an error
 * `google.rpc.Status` that may carry a `RetryInfo`. Shared by the protobuf and JSON codecs.
 */

/** `ExportTracePartialSuccess`: how many spans the server rejected, and why. */
export interface PartialSuccess {
  readonly rejectedSpans: number;
  readonly errorMessage: string;
}

/**
 * A `google.rpc.Status` error reply. `code` is a gRPC code; `retryDelayMs`, when present, travels
 * as a `google.rpc.RetryInfo` detail (whole milliseconds; the wire form is seconds + nanos).
 */
export interface StatusReply {
  readonly code: number;
  readonly message: string;
  readonly retryDelayMs?: number;
}

/** The type URL our `google.protobuf.Any` carries for a `RetryInfo`. */
export const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';

/** Any type URL naming `google.rpc.RetryInfo`, whatever its host part (the spec allows others). */
export function isRetryInfoTypeUrl(typeUrl: string): boolean {
  return typeUrl === RETRY_INFO_TYPE_URL || typeUrl.endsWith('/google.rpc.RetryInfo');
}

/** A delay as whole, non-negative milliseconds (rounded; negative or non-finite becomes 0). */
export function wholeMs(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? Math.round(ms) : 0;
}

/** `google.protobuf.Duration` fields for a delay. */
export function durationFromMs(ms: number): { seconds: number; nanos: number } {
  const whole = wholeMs(ms);
  return { seconds: Math.floor(whole / 1000), nanos: (whole % 1000) * 1_000_000 };
}

/**
 * Milliseconds of a `Duration`, rounded up so that a client never retries earlier than asked.
 * Negative durations (meaningless for a retry delay) count as 0.
 */
export function msFromDuration(seconds: number, nanos: number): number {
  const ms = seconds * 1000 + Math.ceil(nanos / 1_000_000);
  return Math.max(ms, 0);
}

/** The protobuf JSON form of a `Duration`: `"1s"`, `"1.500s"`. */
export function formatJsonDuration(ms: number): string {
  const whole = wholeMs(ms);
  const rest = whole % 1000;
  const seconds = (whole - rest) / 1000;
  return rest === 0 ? `${seconds}s` : `${seconds}.${String(rest).padStart(3, '0')}s`;
}

const JSON_DURATION = /^(-?)(\d+)(?:\.(\d{1,9}))?s$/;

/** Milliseconds of a JSON `Duration` (`"1.5s"`), or `undefined` if it is not one. */
export function parseJsonDuration(text: string): number | undefined {
  const m = JSON_DURATION.exec(text);
  if (m === null) return undefined;
  const sign = m[1] === '-' ? -1 : 1;
  const nanos = Number((m[3] ?? '').padEnd(9, '0'));
  return msFromDuration(sign * Number(m[2]), sign * nanos);
}
