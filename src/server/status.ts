import type { ErrorCode } from '../errors/codes.js';
import { asRetryable, CollectorError, errorMessage, isPermanent } from '../errors/errors.js';

/** gRPC status codes used by the receivers. */
export const GrpcCode = {
  OK: 0,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

export interface ErrorReply {
  readonly httpStatus: number;
  readonly grpcCode: number;
  readonly message: string;
  /** Seconds for `Retry-After` (HTTP) and `RetryInfo` (gRPC); set on every refusal. */
  readonly retryAfterSeconds?: number;
}

const BY_CODE: Partial<Record<ErrorCode, readonly [number, number]>> = {
  ERR_BAD_REQUEST: [400, GrpcCode.INVALID_ARGUMENT],
  ERR_UNSUPPORTED_MEDIA_TYPE: [415, GrpcCode.INVALID_ARGUMENT],
  ERR_UNSUPPORTED_ENCODING: [415, GrpcCode.INVALID_ARGUMENT],
  ERR_BODY_TOO_LARGE: [413, GrpcCode.RESOURCE_EXHAUSTED],
  ERR_METHOD_NOT_ALLOWED: [405, GrpcCode.UNIMPLEMENTED],
  ERR_NOT_FOUND: [404, GrpcCode.UNIMPLEMENTED],
  ERR_UNAUTHENTICATED: [401, GrpcCode.UNAUTHENTICATED],
  ERR_TOO_MANY_SPANS: [413, GrpcCode.RESOURCE_EXHAUSTED],
  ERR_REQUEST_TIMEOUT: [408, GrpcCode.DEADLINE_EXCEEDED],
};

/** Clients are told to wait at least this long when the refusal named no delay. */
const DEFAULT_RETRY_AFTER_SECONDS = 1;

/**
 * The one map from a classified error to what a receiver answers (the reverse of an exporter's
 * `classify`), following the Collector's OTLP receiver: request problems are 4xx; a refusal the
 * client should retry is 503 UNAVAILABLE (429 RESOURCE_EXHAUSTED when throttled) with a delay;
 * a permanent pipeline failure is 500 INTERNAL; anything unclassified counts as retryable.
 */
export function replyFor(err: unknown): ErrorReply {
  const message = errorMessage(err);
  if (err instanceof CollectorError) {
    const mapped = BY_CODE[err.code];
    if (mapped) return { httpStatus: mapped[0], grpcCode: mapped[1], message };
  }
  if (isPermanent(err)) return { httpStatus: 500, grpcCode: GrpcCode.INTERNAL, message };
  const retryable = asRetryable(err);
  const retryAfterSeconds = Math.max(
    1,
    Math.ceil((retryable?.retryAfterMs ?? DEFAULT_RETRY_AFTER_SECONDS * 1000) / 1000),
  );
  if (retryable?.throttled) {
    return { httpStatus: 429, grpcCode: GrpcCode.RESOURCE_EXHAUSTED, message, retryAfterSeconds };
  }
  return { httpStatus: 503, grpcCode: GrpcCode.UNAVAILABLE, message, retryAfterSeconds };
}
