import type { Logger } from 'pino';
import type { Host } from '../../component/types.js';
import { type BackoffPolicy, nextDelay } from '../../exporterhelper/backoff.js';

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

/** What `Outages.retrying` gives when the receiver stopped before the operation succeeded. */
export const STOPPED = Symbol('stopped');

/**
 * Waiting out outages: retries with the receiver's backoff, each source's outage logged once
 * and shown as the component's health (degraded with the reason, ok once every source is back).
 * Every wait ends early when `signal` aborts (shutdown).
 */
export class Outages {
  /** Sources that failed, with the reason, until an operation on them succeeds again. */
  private readonly down = new Map<Source, string>();
  host?: Host;

  constructor(
    private readonly logger: Logger,
    private readonly policy: BackoffPolicy,
    private readonly signal: AbortSignal,
  ) {}

  /**
   * Runs `op` until it succeeds, waiting out outages with the backoff. Tried at least once, also
   * while shutting down (to finish what the pipeline took); `STOPPED` when shutting down before
   * it succeeded. Errors other than outages are thrown.
   */
  async retrying<T>(op: () => Promise<T>): Promise<T | typeof STOPPED> {
    const failed = new Set<Source>();
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await op();
        for (const source of failed) this.up(source);
        return result;
      } catch (err) {
        if (!(err instanceof Outage)) throw err;
        failed.add(err.source);
        if (!(await this.pause(err, attempt))) return STOPPED;
      }
    }
  }

  /** Records the outage and waits the backoff for `attempt`; false when shutting down. */
  pause(err: Outage, attempt: number): Promise<boolean> {
    this.markDown(err.source, err.message);
    return this.backoff(attempt);
  }

  /** Waits the backoff for `attempt` (at least `retryAfterMs`); false when shutting down. */
  backoff(attempt: number, retryAfterMs?: number): Promise<boolean> {
    return this.sleep(nextDelay(this.policy, attempt, retryAfterMs, Math.random));
  }

  markDown(source: Source, reason: string): void {
    if (this.signal.aborted || this.down.has(source)) return;
    this.down.set(source, reason);
    this.logger.warn({ source, reason }, `dify_queue: ${source} is unavailable; messages wait`);
    this.host?.reportStatus({ state: 'degraded', reason });
  }

  up(source: Source): void {
    if (!this.down.delete(source)) return;
    this.logger.info({ source }, `dify_queue: ${source} is available again`);
    const still = [...this.down.values()][0];
    this.host?.reportStatus(still ? { state: 'degraded', reason: still } : { state: 'ok' });
  }

  /** Waits `ms`, or less when shutting down; false when shutting down. */
  private sleep(ms: number): Promise<boolean> {
    if (this.signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.signal.removeEventListener('abort', wake);
        resolve(true);
      }, ms);
      this.signal.addEventListener('abort', wake, { once: true });
    });
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
