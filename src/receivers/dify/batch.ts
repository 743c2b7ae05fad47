import { makeTraces } from '../../pdata/span.js';
import type { Span, Traces } from '../../pdata/traces.js';
import type { RawItem } from './decode.js';
import { convertItem } from './mapping/convert.js';

/** An item the receiver could not convert: its position in the request and what is wrong. */
export interface ItemProblem {
  readonly index: number;
  readonly message: string;
}

/** The outcome of converting every item of one request. */
export interface ConvertedBatch {
  readonly traces: Traces;
  readonly spanCount: number;
  readonly acceptedItems: number;
  /** `trace_info_type` of each skipped item (types without a mapping: `dict`, EE types...). */
  readonly skippedTypes: readonly string[];
  readonly problems: readonly ItemProblem[];
}

/** Every span of a request goes out under one resource and the `dify` scope. */
const RESOURCE = [{ key: 'service.name', value: 'dify' }];
const SCOPE = { name: 'dify' };

/** Converts the items of one request; one bad item never stops the others (partial success). */
export function convertBatch(items: readonly RawItem[]): ConvertedBatch {
  const spans: Span[] = [];
  const skippedTypes: string[] = [];
  const problems: ItemProblem[] = [];
  let acceptedItems = 0;
  items.forEach((item, index) => {
    if ('invalid' in item) {
      problems.push({ index, message: item.invalid });
      return;
    }
    const result = convertItem(item.value);
    if (result.outcome === 'spans') {
      acceptedItems++;
      for (const s of result.spans) spans.push(s);
    } else if (result.outcome === 'skipped') skippedTypes.push(result.traceInfoType);
    else problems.push({ index, message: result.message });
  });
  return {
    traces: makeTraces(spans, RESOURCE, SCOPE),
    spanCount: spans.length,
    acceptedItems,
    skippedTypes,
    problems,
  };
}
