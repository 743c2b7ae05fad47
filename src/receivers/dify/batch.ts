import { MAX_INT64, MAX_UINT64, MIN_INT64 } from '../../otlp/int64.js';
import {
  type DecodeLimits,
  limitTraces,
  NO_LIMITS,
  Truncations,
  tooManySpans,
} from '../../otlp/limits.js';
import { makeTraces } from '../../pdata/span.js';
import type { AnyValue, Attributes, Span, Traces } from '../../pdata/traces.js';
import { unpaced } from '../../pipeline/pacer.js';
import type { RawItem } from './decode.js';
import { convertItemSteps } from './mapping/convert.js';
import { skippedTypeLabel } from './metrics.js';

/** An item the receiver could not convert: its position in the request and what is wrong. */
export interface ItemProblem {
  readonly index: number;
  readonly message: string;
}

/**
 * At most this many problems are listed in an answer, each cut to `MAX_PROBLEM_CHARS`: a request
 * of a million bad lines gets a small answer (with the total), not a larger body than it sent.
 */
export const MAX_LISTED_PROBLEMS = 100;
export const MAX_PROBLEM_CHARS = 1024;

/** The outcome of converting every item of one request. */
export interface ConvertedBatch {
  readonly traces: Traces;
  readonly spanCount: number;
  readonly acceptedItems: number;
  /** Skipped items (types without a mapping: `dict`, EE types...) by metric label. */
  readonly skipped: ReadonlyMap<string, number>;
  readonly skippedItems: number;
  /** Every rejected item counts here... */
  readonly rejectedItems: number;
  /** ...and the first `MAX_LISTED_PROBLEMS` are listed. */
  readonly problems: readonly ItemProblem[];
}

/** Every span of a request goes out under one resource and the `dify` scope. */
const RESOURCE = [{ key: 'service.name', value: 'dify' }];
const SCOPE = { name: 'dify' };

/**
 * Converts the items of one request at once, without limits (tests and benchmarks): a list, or
 * the stream `decodeItemsSteps` yields.
 */
export function convertBatch(items: Iterable<RawItem | undefined>): ConvertedBatch {
  return unpaced(convertBatchSteps(items, NO_LIMITS, new Truncations()));
}

/**
 * Converts the items of one request in steps, taking each as it comes (`undefined` is a pause of
 * the decoder: yielded on); one bad item never stops the others (partial success). The request
 * limits apply: more spans than `maxSpans` refuse the request (`ERR_TOO_MANY_SPANS`, once the
 * rest of the items was read, so that a body that is not JSON further on is refused as such),
 * long values are cut (counted in `cut`).
 */
export function* convertBatchSteps(
  items: Iterable<RawItem | undefined>,
  limits: DecodeLimits,
  cut: Truncations,
): Generator<void, ConvertedBatch, undefined> {
  const spans: Span[] = [];
  const skipped = new Map<string, number>();
  const problems: ItemProblem[] = [];
  let skippedItems = 0;
  let rejectedItems = 0;
  let acceptedItems = 0;
  let refused: Error | undefined;
  const reject = (index: number, message: string) => {
    rejectedItems++;
    if (problems.length < MAX_LISTED_PROBLEMS) {
      problems.push({
        index,
        message:
          message.length > MAX_PROBLEM_CHARS ? `${message.slice(0, MAX_PROBLEM_CHARS)}…` : message,
      });
    }
  };
  let index = -1;
  for (const item of items) {
    // After a refusal the rest is only read (see above).
    if (item === undefined || refused) {
      yield;
      continue;
    }
    index++;
    if ('invalid' in item) {
      reject(index, item.invalid);
      yield;
      continue;
    }
    // A run's node rows are one span each: too many refuse the request before any is mapped.
    if (spans.length + nodeRows(item.value) > limits.maxSpans) {
      refused = tooManySpans(limits.maxSpans);
      continue;
    }
    const result = yield* convertItemSteps(item.value);
    if (result.outcome === 'spans') {
      const problem = outOfRange(result.spans);
      if (problem) reject(index, problem);
      else {
        acceptedItems++;
        for (const s of result.spans) spans.push(s);
        if (spans.length > limits.maxSpans) refused = tooManySpans(limits.maxSpans);
      }
    } else if (result.outcome === 'skipped') {
      skippedItems++;
      const label = skippedTypeLabel(result.traceInfoType);
      skipped.set(label, (skipped.get(label) ?? 0) + 1);
    } else reject(index, result.message);
    yield;
  }
  if (refused) throw refused;
  const traces = yield* limitTraces(makeTraces(spans, RESOURCE, SCOPE), limits, cut);
  return {
    traces,
    spanCount: spans.length,
    acceptedItems,
    skipped,
    skippedItems,
    rejectedItems,
    problems,
  };
}

/** How many node rows an item carries (`node_executions` of an envelope, `rows` of a document). */
function nodeRows(item: unknown): number {
  if (item === null || typeof item !== 'object') return 0;
  const o = item as { node_executions?: unknown; rows?: unknown };
  const rows = o.node_executions ?? o.rows;
  return Array.isArray(rows) ? rows.length : 0;
}

/**
 * Why spans cannot be sent (a time or an integer beyond 64 bits, from a number in the item no
 * OTLP field can hold), or undefined. Checked here so that the item is rejected, instead of
 * the whole request failing when it is encoded.
 */
function outOfRange(spans: readonly Span[]): string | undefined {
  for (const s of spans) {
    for (const [field, t] of [
      ['start', s.startTimeUnixNano],
      ['end', s.endTimeUnixNano],
    ] as const) {
      if (t < 0n || t > MAX_UINT64) return `span "${s.name}": its ${field} time is out of range`;
    }
    const bad = badInt(s.attributes) ?? s.events.map((e) => badInt(e.attributes)).find(Boolean);
    if (bad) return `span "${s.name}": ${bad} is out of range for a 64-bit integer`;
  }
  return undefined;
}

function badInt(attrs: Attributes): string | undefined {
  for (const kv of attrs) if (!intsFit(kv.value)) return kv.key;
  return undefined;
}

function intsFit(v: AnyValue): boolean {
  if (typeof v === 'bigint') return v >= MIN_INT64 && v <= MAX_INT64;
  if (Array.isArray(v)) return v.every(intsFit);
  if (v !== null && typeof v === 'object' && 'kvlist' in v) return badInt(v.kvlist) === undefined;
  return true;
}
