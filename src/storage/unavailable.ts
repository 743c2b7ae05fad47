import { errorMessage, RetryableError } from '../errors/errors.js';

/** How long a sender is asked to wait when a store cannot write. */
export const STORAGE_RETRY_AFTER_MS = 5_000;

/**
 * A store cannot write (disk full, read-only, not writable) or cannot be opened. Retryable: the
 * data it was given is not stored and goes back to its sender (HTTP 503 with Retry-After, gRPC
 * UNAVAILABLE); what the store held before is untouched.
 */
export class StorageUnavailableError extends RetryableError {
  constructor(what: string, cause: unknown) {
    super(
      'ERR_STORAGE_UNAVAILABLE',
      `${what}: ${errorMessage(cause)}`,
      { retryAfterMs: STORAGE_RETRY_AFTER_MS },
      { cause },
    );
  }
}

/** What a refusing store means for the data, for the log and the health reason. */
export function storageFault(err: unknown): string {
  return `${errorMessage(err)}; new data is refused (503) and what is stored is kept until it can write again`;
}
