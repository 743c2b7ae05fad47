import type { Settings } from '../component/types.js';
import type { Traces } from '../pdata/traces.js';
import { countedPush } from './define-exporter.js';
import type { Sender } from './sender.js';

export interface PrepareParts<P> {
  readonly settings: Settings;
  prepare(traces: Traces): Promise<P>;
  failedSpans(request: P): number;
  delivered?(request: P): void;
}

/**
 * Turns each batch into the request `next` sends (once: retries and both paths reuse it), and
 * counts the batch's spans under the Collector's names: sent, or failed when the send rejects or
 * when `failedSpans` says some were given up on (dead-lettered) while the rest went through.
 * `delivered` hears of each request whose send finished.
 */
export function withPrepare<P>(next: Sender<P>, parts: PrepareParts<P>): Sender<Traces> {
  const counted = countedPush(parts.settings);
  return {
    send: (traces, signal) =>
      counted(traces, async () => {
        const request = await parts.prepare(traces);
        await next.send(request, signal);
        parts.delivered?.(request);
        return { failedSpans: parts.failedSpans(request) };
      }),
    start: (host) => next.start(host),
    shutdown: () => next.shutdown(),
  };
}
