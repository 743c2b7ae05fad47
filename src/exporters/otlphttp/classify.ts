import { PermanentError, RetryableError } from '../../errors/errors.js';
import { decodeStatusJson } from '../../otlp/json-codec.js';
import { decodeStatus } from '../../otlp/proto-codec.js';

/** An HTTP answer other than 2xx, as the exporter read it. */
export interface FailedAnswer {
  readonly status: number;
  readonly retryAfter: string | undefined;
  readonly contentType: string;
  readonly body: Buffer;
}

/** Statuses worth another attempt, as the OTLP spec and the Collector's `otlp_http` list them. */
const RETRYABLE = new Set([429, 502, 503, 504]);

/**
 * The one classification of a non-2xx OTLP/HTTP answer: 429, 502, 503 and 504 are retryable,
 * every other status (500 included) is permanent. On 429 and 503 a `Retry-After` (seconds, or an
 * HTTP date) is the least wait before the next attempt. The server's `google.rpc.Status`
 * message, when the body holds one, goes into the error.
 */
export function classifyHttpFailure(a: FailedAnswer, url: string, nowMs: number): Error {
  const detail = statusMessage(a);
  const message = `OTLP/HTTP export to ${url} failed: HTTP ${a.status}${detail ? `: ${detail}` : ''}`;
  if (!RETRYABLE.has(a.status)) return new PermanentError('ERR_EXPORT_REJECTED', message);
  const throttle = a.status === 429 || a.status === 503;
  return new RetryableError('ERR_EXPORT_FAILED', message, {
    retryAfterMs: throttle ? retryAfterMs(a.retryAfter, nowMs) : undefined,
    throttled: a.status === 429,
  });
}

/** `Retry-After` as delay-seconds, else as an HTTP date; undefined when it is neither. */
export function retryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** The message of a `google.rpc.Status` body (protobuf or JSON), or the start of a text/* body. */
function statusMessage(a: FailedAnswer): string {
  if (a.body.length === 0) return '';
  try {
    if (a.contentType === 'application/x-protobuf') return decodeStatus(a.body).message;
    if (a.contentType === 'application/json') return decodeStatusJson(a.body).message;
  } catch {
    // not a Status: fall through to the text
  }
  if (!a.contentType.startsWith('text/')) return '';
  const text = a.body.toString('utf8').trim();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
