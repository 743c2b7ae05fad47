import type { Settings } from '../component/types.js';
import type { Traces } from '../pdata/traces.js';
import type { DeadLetter } from './dead-letter.js';
import { countedPush } from './define-exporter.js';
import type { Sender } from './sender.js';
import { sendIsolating } from './split.js';

export interface PrepareParts<P> {
  readonly settings: Settings;
  prepare(traces: Traces): Promise<P>;
  failedSpans(request: P): number;
  delivered?(request: P): void;
  /**
   * Where the spans a split isolates go (`split.ts`); without it a failure goes back whole to
   * the caller, who still holds the data (no queue).
   */
  readonly deadLetter?: DeadLetter;
}

/**
 * Turns each batch into the request `next` sends (once: retries and both paths reuse it), and
 * counts the batch's spans under the Collector's names: sent, or failed when the send rejects or
 * when `failedSpans` says some were given up on (dead-lettered) while the rest went through.
 * `delivered` hears of each request whose send finished. With `deadLetter`, a batch that fails
 * for good or the same way twice is split to find the spans that fail, which are dead-lettered
 * while the rest is delivered; `prepare` is a function of the batch, so one exception from it
 * counts as twice.
 */
export function withPrepare<P>(next: Sender<P>, parts: PrepareParts<P>): Sender<Traces> {
  const counted = countedPush(parts.settings);
  const { deadLetter } = parts;
  const sendOnce = async (traces: Traces, signal: AbortSignal): Promise<number> => {
    const request = await parts.prepare(traces);
    await next.send(request, signal);
    parts.delivered?.(request);
    return parts.failedSpans(request);
  };
  return {
    send: (traces, signal) =>
      counted(traces, async () => ({
        failedSpans: deadLetter
          ? await sendIsolating(traces, (t) => sendOnce(t, signal), deadLetter)
          : await sendOnce(traces, signal),
      })),
    start: (host) => next.start(host),
    shutdown: () => next.shutdown(),
  };
}
