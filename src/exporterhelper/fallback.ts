import type { Logger } from 'pino';
import { errorMessage } from '../errors/errors.js';
import type { Sender } from './sender.js';

/** How one failure of the primary counts toward leaving it. */
export type FailureVerdict =
  /** The primary cannot serve this at all (no such endpoint): switch now. */
  | 'switch'
  /** A failure that may pass (5xx, network): switch after `switchAfterFailures` in a row. */
  | 'count'
  /** Not the primary's fault (bad data, credentials shared by both paths): rethrow, no switch. */
  | 'ignore';

export interface FallbackOptions {
  readonly enabled: boolean;
  readonly switchAfterFailures: number;
  readonly probeIntervalMs: number;
  readonly judge: (err: unknown) => FailureVerdict;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Told each time the active path changes (metrics: a gauge and a counter). */
  readonly onSwitch?: (active: 'primary' | 'secondary') => void;
  readonly names?: { readonly primary: string; readonly secondary: string };
}

/**
 * A circuit between two ways of delivering the same request. Requests go to the primary until it
 * says it cannot serve them (`switch`) or fails `switchAfterFailures` attempts in a row; then to
 * the secondary, and the failing request goes there at once. While on the secondary, one request
 * per `probeIntervalMs` tries the primary first; its success closes the circuit. The switch and
 * the return are each logged once per change.
 */
export function withFallback<T>(
  primary: Sender<T>,
  secondary: Sender<T>,
  options: FallbackOptions,
): Sender<T> {
  const now = options.now ?? Date.now;
  const names = options.names ?? { primary: 'primary', secondary: 'secondary' };
  let onSecondary = false;
  let failuresInARow = 0;
  let nextProbeAt = 0;

  function leavePrimary(err: unknown): void {
    onSecondary = true;
    failuresInARow = 0;
    nextProbeAt = now() + options.probeIntervalMs;
    options.logger.warn(
      { from: names.primary, to: names.secondary, reason: errorMessage(err) },
      `switching to the ${names.secondary} path`,
    );
    options.onSwitch?.('secondary');
  }

  function returnToPrimary(): void {
    onSecondary = false;
    failuresInARow = 0;
    options.logger.info({ to: names.primary }, `the ${names.primary} path works again; using it`);
    options.onSwitch?.('primary');
  }

  async function sendOnCircuit(request: T, signal: AbortSignal): Promise<void> {
    if (onSecondary && now() < nextProbeAt) return secondary.send(request, signal);
    const probing = onSecondary;
    // One probe per interval, however many requests arrive while it runs.
    if (probing) nextProbeAt = now() + options.probeIntervalMs;
    try {
      await primary.send(request, signal);
    } catch (err) {
      const verdict = options.judge(err);
      if (verdict === 'ignore' || signal.aborted) throw err;
      if (probing) return secondary.send(request, signal);
      if (verdict === 'count' && ++failuresInARow < options.switchAfterFailures) throw err;
      if (!onSecondary) leavePrimary(err);
      return secondary.send(request, signal);
    }
    if (probing && onSecondary) returnToPrimary();
    else failuresInARow = 0;
  }

  return {
    send: (request, signal) =>
      options.enabled ? sendOnCircuit(request, signal) : primary.send(request, signal),
    async start(host) {
      if (options.enabled)
        host.publishDetails(() => ({ path: onSecondary ? names.secondary : names.primary }));
      await primary.start(host);
      await secondary.start(host);
    },
    async shutdown() {
      await Promise.all([primary.shutdown(), secondary.shutdown()]);
    },
  };
}
