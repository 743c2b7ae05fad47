import type { ErrorCode } from '../../errors/codes.js';
import { RetryableError } from '../../errors/errors.js';

/** A failure of one path's request; `path` tells the fallback whether switching could help. */
export class PathError extends RetryableError {
  constructor(
    readonly path: 'otlp' | 'rest',
    code: ErrorCode,
    message: string,
    details: { retryAfterMs?: number; throttled?: boolean } = {},
    options?: ErrorOptions,
  ) {
    super(code, message, details, options);
  }
}
