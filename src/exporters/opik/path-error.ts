import type { ErrorCode } from '../../errors/codes.js';
import { RetryableError, type RetryDetails } from '../../errors/errors.js';

/** A failure of one path's request; `path` tells the fallback whether switching could help. */
export class PathError extends RetryableError {
  constructor(
    readonly path: 'otlp' | 'rest',
    code: ErrorCode,
    message: string,
    details: RetryDetails = {},
    options?: ErrorOptions,
  ) {
    // Refused credentials are the exporter's problem, not the data's: it is kept (`blocked`).
    super(code, message, { ...details, blocked: code === 'ERR_EXPORT_UNAUTHORIZED' }, options);
  }
}
