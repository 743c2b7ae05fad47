import type { ErrorCode } from './codes.js';

/** The base of every error the collector creates: it carries a code from `codes.ts`. */
export class CollectorError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The same input will fail the same way: do not retry, dead-letter or drop and count. */
export class PermanentError extends CollectorError {}

/** What a `RetryableError` says beyond its message. */
export interface RetryDetails {
  /** The least delay the failing side asked for. */
  readonly retryAfterMs?: number;
  /** A rate limit (HTTP 429 / gRPC RESOURCE_EXHAUSTED), not an outage. */
  readonly throttled?: boolean;
  /**
   * The destination refuses the sender, not the data (credentials, workspace): whoever holds the
   * data keeps it, however long the refusal lasts (a queue holds it past `max_elapsed_time`).
   */
  readonly blocked?: boolean;
}

/** Worth retrying later. `retryAfterMs` is the least delay the failing side asked for. */
export class RetryableError extends CollectorError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly details: RetryDetails = {},
    options?: ErrorOptions,
  ) {
    super(code, message, options);
  }
  get retryAfterMs(): number | undefined {
    return this.details.retryAfterMs;
  }
  /** True when the refusal is a rate limit (HTTP 429 / gRPC RESOURCE_EXHAUSTED), not an outage. */
  get throttled(): boolean {
    return this.details.throttled === true;
  }
  /** True when the destination refuses the sender, not the data (see `RetryDetails.blocked`). */
  get blocked(): boolean {
    return this.details.blocked === true;
  }
}

/** A problem in the configuration, at `path` (key path joined with `::`), with its location. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
}

export class ConfigError extends CollectorError {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super('ERR_CONFIG_INVALID', issues.map(formatIssue).join('\n'));
  }
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.file ? ` (${issue.file}${issue.line ? `:${issue.line}` : ''})` : '';
  return `${issue.path || '(root)'}: ${issue.message}${where}`;
}

/** Walks `cause` links; an error is permanent when any error on the chain is a `PermanentError`. */
export function isPermanent(err: unknown): boolean {
  return findInChain(err, PermanentError) !== undefined;
}

/** The first `RetryableError` on the `cause` chain, if any. */
export function asRetryable(err: unknown): RetryableError | undefined {
  return findInChain(err, RetryableError);
}

function findInChain<T>(err: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 16; depth++) {
    if (e instanceof type) return e as T;
    e = e.cause;
  }
  return undefined;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
