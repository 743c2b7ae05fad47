import type { SpanInContext } from '../../../pdata/map-spans.js';
import { aliyunFragment } from './aliyun.js';
import type { Fragment } from './fragments.js';
import { legacyFragment } from './phoenix-legacy.js';
import { unifiedFragment } from './phoenix-unified.js';
import { SpanReader } from './span-reader.js';

/** Which of Dify's OTLP providers sent a span (reference/dify.md §4), by its scope. */
export type Dialect = 'phoenix' | 'unified' | 'aliyun';

export function dialectOf({ scope, resource }: SpanInContext): Dialect | undefined {
  if (scope.name.startsWith('arize_phoenix_tracer_')) return 'phoenix';
  if (scope.name.startsWith('unified_phoenix_')) return 'unified';
  // `dify_trace_aliyun.data_exporter.traceclient` (1.14+), `core.ops.aliyun_trace.…` before.
  if (/aliyun_trace\.data_exporter\.traceclient$/.test(scope.name)) return 'aliyun';
  if (
    resource.attributes.some(
      (kv) => kv.key === 'acs.arms.service.feature' && kv.value === 'genai_app',
    )
  ) {
    return 'aliyun';
  }
  return undefined;
}

/**
 * What a provider span says about Dify's entities, or undefined for a span that does not come
 * raw from the provider (an unknown shape, or one a collector upstream already rewrote): such
 * spans only go through the vocabulary pass.
 */
export function fragmentOf(ctx: SpanInContext, dialect: Dialect): Fragment | undefined {
  const r = new SpanReader(ctx.span);
  switch (dialect) {
    case 'phoenix':
      return r.has('openinference.span.kind') ||
        r.has('dify_trace_id') ||
        ctx.span.name === 'api_check'
        ? legacyFragment(r)
        : undefined;
    case 'unified':
      return r.has('openinference.span.kind') || ctx.span.name === 'api_check'
        ? unifiedFragment(r)
        : undefined;
    case 'aliyun':
      return r.has('gen_ai.span.kind') ? aliyunFragment(r) : undefined;
  }
}

/**
 * Dify's bookkeeping spans, told apart without reading them back: the `api_check` span, the
 * synthetic root (no parent, `dify_trace_id`), loop/iteration wrappers.
 */
export function isDifyHelperSpan({ span }: SpanInContext): boolean {
  if (span.name === 'api_check') return true;
  return span.attributes.some(
    (kv) =>
      (kv.key === 'dify_trace_id' && span.parentSpanId === '') ||
      (kv.key === 'dify.wrapper.synthetic' && kv.value === true),
  );
}
