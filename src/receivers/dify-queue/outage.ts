/** A source this receiver reads from. */
export type Source = 'redis' | 'storage' | 'database';

/**
 * A source cannot be used right now (down, unreachable, not mounted): the message stays in the
 * processing list and the step is tried again after a backoff. Never a reason to set a message
 * aside.
 */
export class Outage extends Error {
  constructor(
    readonly source: Source,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'Outage';
  }
}

/** A short reason for an error from a client library (its code, else its message). */
export function reasonOf(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; errors?: unknown };
  // Node's dual-stack connect failures are an AggregateError without a message of their own.
  if (Array.isArray(e.errors) && e.errors.length > 0) return reasonOf(e.errors[0]);
  if (typeof e.code === 'string' && e.code !== '') {
    return typeof e.message === 'string' && e.message !== '' ? `${e.code}: ${e.message}` : e.code;
  }
  return typeof e.message === 'string' && e.message !== '' ? e.message : String(err);
}
