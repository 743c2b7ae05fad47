import { CollectorError, errorMessage, isPermanent, RetryableError } from '../errors/errors.js';
import { spanCount } from '../pdata/count.js';
import { splitTraces } from '../pdata/split.js';
import type { Traces } from '../pdata/traces.js';
import { networkCode } from './plain-words.js';

/**
 * Finding the one bad item of a batch (a "poison pill"), so that a queue keeps flowing.
 *
 * A batch that fails for good (`PermanentError`), or fails twice in a row the same way in the
 * collector's own code (`RepeatedFailure`: an encoder that overflows its stack on one span, a
 * mapping that throws on one value), is split in halves and each half is sent again, until the
 * part that fails is a single span; that span is dead-lettered with the reason and the rest is
 * delivered. Failures that may be the destination's state (network, timeouts, 5xx, 429,
 * refused credentials) are never split: they are retried whole, as before.
 *
 * Splitting needs evidence that it is the data: something of the batch going through. Until
 * then it goes two levels down; the parts that still fail there wait. If nothing went through
 * at all (a destination that refuses everything, a bug that fails every batch), they are given
 * up on as they are, so such a batch of 1,000 spans costs seven sends, never a thousand;
 * otherwise they are split further like the rest.
 */

/** Two attempts in a row failed the same way in the collector's own code: the data is suspect. */
export class RepeatedFailure extends RetryableError {
  constructor(cause: unknown) {
    super(
      'ERR_EXPORT_FAILED',
      `failed twice in a row the same way: ${errorMessage(cause)}`,
      {},
      { cause },
    );
  }
}

/**
 * An error thrown by the collector's own code or a library while handling the data, rather than
 * an answer from the destination or a fault of the machine: not classified, not a system call's
 * error, not a network or abort error. The same data fails the same way again.
 */
export function isLocalFailure(err: unknown): boolean {
  if (err instanceof CollectorError || !(err instanceof Error)) return false;
  const e = err as Error & { syscall?: unknown; code?: unknown };
  if (e.syscall !== undefined || e.name === 'AbortError') return false;
  if (typeof e.code === 'string' && e.code.startsWith('UND_ERR')) return false;
  return networkCode(err) === undefined;
}

/** Two local failures with the same name and message. */
export function sameLocalFailure(a: unknown, b: unknown): boolean {
  return (
    isLocalFailure(a) &&
    isLocalFailure(b) &&
    (a as Error).name === (b as Error).name &&
    (a as Error).message === (b as Error).message
  );
}

/** Worth splitting the batch over: the same data would fail the same way. */
export function isSplittable(err: unknown): boolean {
  return err instanceof RepeatedFailure || isPermanent(err) || isLocalFailure(err);
}

/** Levels split while no part has gone through yet. */
const BLIND_DEPTH = 2;

/**
 * Sends `traces`; when it fails in a way `isSplittable` accepts, isolates the failing spans as the
 * module comment says. `send` resolves with the spans it gave up on itself (counted as failed);
 * so does this, adding the spans it dead-lettered. Any other failure is thrown as it is.
 */
export async function sendIsolating(
  traces: Traces,
  send: (traces: Traces) => Promise<number>,
  deadLetter: (traces: Traces, reason: string) => Promise<void>,
): Promise<number> {
  let delivered = false;
  /** Failing parts met at the blind depth before anything went through: decided at the end. */
  const waiting: Array<{ part: Traces; cause: unknown }> = [];

  async function isolate(part: Traces, cause: unknown, depth: number): Promise<number> {
    const n = spanCount(part);
    if (n <= 1) return giveUp(part, cause);
    if (!delivered && depth >= BLIND_DEPTH) {
      waiting.push({ part, cause });
      return 0;
    }
    let failed = 0;
    for (const half of splitTraces(part, Math.ceil(n / 2))) {
      try {
        failed += await send(half);
        delivered = true;
      } catch (err) {
        if (!isSplittable(err)) throw err;
        failed += await isolate(half, err, depth + 1);
      }
    }
    return failed;
  }

  async function giveUp(part: Traces, cause: unknown): Promise<number> {
    await deadLetter(part, `given up: ${errorMessage(cause)}`);
    return spanCount(part);
  }

  try {
    return await send(traces);
  } catch (err) {
    if (!isSplittable(err)) throw err;
    let failed = await isolate(traces, err, 0);
    // Something went through: the parts put aside hold bad spans among good ones; else it is
    // not the data that fails (or all of it does).
    for (const { part, cause } of waiting.splice(0)) {
      failed += delivered ? await isolate(part, cause, BLIND_DEPTH) : await giveUp(part, cause);
    }
    return failed;
  }
}
