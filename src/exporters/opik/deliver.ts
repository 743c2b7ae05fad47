import type { Verdict } from './classify.js';
import type { OpikHttp } from './client.js';
import type { DeadLetterEntry } from './dead-letter.js';
import type { OpikMetrics } from './metrics.js';
import { PathError } from './path-error.js';
import type { RecentIds } from './recent-ids.js';

/** What both paths share while delivering one payload. */
export interface DeliveryContext {
  readonly http: OpikHttp;
  readonly maxItems: number;
  readonly now: () => number;
  readonly metrics: OpikMetrics;
  readonly recentTraceRows: RecentIds;
  readonly deadLetter: (entries: readonly DeadLetterEntry[]) => Promise<void>;
  /** The Opik ids the id store knows for these OTel traces. */
  readonly knownTraces: (otelTraceIds: string[]) => Promise<ReadonlyMap<string, string>>;
}

/** The outcome of one request, or `handled` when the attempt dealt with its items itself. */
export type AttemptResult = Verdict | { readonly kind: 'handled' };

export interface Delivery<I> {
  readonly path: 'otlp' | 'rest';
  attempt(items: I[], signal: AbortSignal): Promise<AttemptResult>;
  delivered(items: I[]): void;
  /** Items Opik refuses for good, with its reason. */
  refused(items: I[], reason: string): Promise<void>;
}

/**
 * Sends `items` in requests of at most `maxItems`. A request refused because of an item (400,
 * 413, 422) is split in halves until the item is alone, which is then dead-lettered while the
 * rest is delivered; any other failure throws (and the retry sends only what is left).
 */
export async function deliverAll<I>(
  items: readonly I[],
  d: Delivery<I>,
  ctx: DeliveryContext,
  signal: AbortSignal,
): Promise<void> {
  for (let i = 0; i < items.length; i += ctx.maxItems) {
    await deliverSplitting(items.slice(i, i + ctx.maxItems), d, ctx, signal);
  }
}

async function deliverSplitting<I>(
  items: I[],
  d: Delivery<I>,
  ctx: DeliveryContext,
  signal: AbortSignal,
): Promise<void> {
  const result = await d.attempt(items, signal);
  switch (result.kind) {
    case 'handled':
      return;
    case 'ok':
      d.delivered(items);
      return;
    case 'split': {
      if (items.length === 1) return d.refused(items, result.reason);
      const half = Math.ceil(items.length / 2);
      await deliverSplitting(items.slice(0, half), d, ctx, signal);
      await deliverSplitting(items.slice(half), d, ctx, signal);
      return;
    }
    case 'reject':
      return d.refused(items, result.reason);
    default:
      throw verdictError(result, d.path);
  }
}

/** The error for an answer that fails the whole attempt (the delivery watch hears of it from the retry). */
export function verdictError(v: Verdict, path: 'otlp' | 'rest'): PathError {
  switch (v.kind) {
    case 'refused':
      return new PathError(
        path,
        'ERR_EXPORT_UNAUTHORIZED',
        `Opik refused the request: ${v.reason}`,
      );
    case 'unusable':
      return new PathError(
        path,
        'ERR_EXPORT_ENDPOINT_UNUSABLE',
        `no usable OTLP endpoint: ${v.reason}`,
      );
    case 'retry':
      return new PathError(path, 'ERR_EXPORT_FAILED', `Opik answered ${v.reason}`, {
        retryAfterMs: v.retryAfterMs,
        throttled: v.throttled,
      });
    default:
      return new PathError(
        path,
        'ERR_EXPORT_FAILED',
        `Opik answered ${'reason' in v ? v.reason : v.kind}`,
      );
  }
}
