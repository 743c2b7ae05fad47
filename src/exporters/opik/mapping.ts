import { type ResourceSpans, type ScopeSpans, type Span, StatusCode } from '../../pdata/traces.js';
import type { OpikIds } from './assign-ids.js';
import { errorInfoOf } from './error-info.js';
import type { Adjustment } from './limits.js';
import type { OpikSpan, OpikTrace } from './opik-types.js';
import type { OpikEncoding } from './opik-version.js';
import { otlpBlocker, wireAttributes } from './otlp-encoding.js';
import { type SpanFields, spanFields } from './span-fields.js';
import { anyValueToJson, type Json, opikColumnValue } from './values.js';

/**
 * The one mapping from canonical spans to Opik, used by both paths. For each span it gives the
 * Opik object (what the REST path writes, and what Opik must end up storing) and, when Opik's
 * OTLP mapping can produce exactly that object, the OTLP span to send instead: attributes chosen
 * so that Opik's server-side rules (reference/opik.md §2) yield the same fields.
 */
export interface MappedSpan {
  /** What every path needs, computed at once. */
  readonly ref: SpanRef;
  /**
   * The Opik object, built when first asked for: only the REST path, the dead letter and trace
   * rows need it, so spans that go over OTLP never pay for it.
   */
  readonly opik: () => OpikSpan;
  /**
   * The OTLP span whose attributes make this Opik version store exactly `opik()`, or why none
   * can (then only the REST API can write the object).
   */
  readonly otlp: (encoding: OpikEncoding) => OtlpForm;
  /** The trace row when this span is the top of its Opik trace. */
  readonly trace?: OpikTrace;
}

export type OtlpForm = { readonly span: Span } | { readonly blocker: string };

/** The few facts about a mapped span that routing, placeholders and window checks use. */
export interface SpanRef {
  readonly id: string;
  readonly trace_id: string;
  readonly parent_span_id?: string;
  readonly project_name: string;
  readonly name: string;
  readonly startMs: number;
  /** True when the span carries token usage (Opik's OTLP mapping treats such spans specially). */
  readonly hasUsage: boolean;
  /** True when Opik stores error info for the span (an ERROR status or an `exception` event). */
  readonly error: boolean;
}

/** A span with its resource, scope and Opik ids. */
export interface SpanWithIds {
  readonly resource: ResourceSpans;
  readonly scope: ScopeSpans;
  readonly span: Span;
  readonly ids: OpikIds;
}

export interface MappingContext {
  readonly projectName: string;
  readonly adjust: (a: Adjustment) => void;
}

const ns2ms = (ns: bigint) => Number(ns / 1_000_000n);
export const isoMs = (ms: number) => new Date(ms).toISOString();

export function mapSpan(item: SpanWithIds, ctx: MappingContext): MappedSpan {
  const { span, ids } = item;
  const fields = spanFields(span.attributes, contextOf(item), ctx.adjust);
  const startMs = ns2ms(span.startTimeUnixNano);
  // Opik stores an unset end (0) as the epoch; the span's start is the honest stand-in.
  const endNs = span.endTimeUnixNano === 0n ? span.startTimeUnixNano : span.endTimeUnixNano;
  // `extra` holds no bigint (anyValueToJson turns ints into numbers), so plain JSON text will do.
  const extraJson = Object.keys(fields.extra).length > 0 ? JSON.stringify(fields.extra) : undefined;
  const ref: SpanRef = {
    id: ids.spanId,
    trace_id: ids.traceId,
    parent_span_id: ids.parentSpanId ?? undefined,
    project_name: ctx.projectName,
    name: span.name,
    startMs,
    hasUsage: fields.llm !== undefined && Object.keys(fields.llm.usage).length > 0,
    error: span.status.code === StatusCode.ERROR || span.events.some((e) => e.name === 'exception'),
  };
  let built: OpikSpan | undefined;
  const opik = () => {
    built ??= opikSpan(item, fields, ctx, { startMs, endNs, extraJson });
    return built;
  };
  const forms = new Map<OpikEncoding, OtlpForm>();
  const otlp = (encoding: OpikEncoding): OtlpForm => {
    let form = forms.get(encoding);
    if (!form) {
      const blocker = otlpBlocker(fields, encoding);
      form = blocker
        ? { blocker }
        : {
            span: {
              ...span,
              endTimeUnixNano: endNs,
              attributes: wireAttributes(fields, ids, extraJson, encoding),
            },
          };
      forms.set(encoding, form);
    }
    return form;
  };
  const trace = ids.parentSpanId === null ? traceRow(opik(), fields) : undefined;
  return { ref, opik, otlp, trace };
}

function opikSpan(
  { span, ids }: SpanWithIds,
  fields: SpanFields,
  ctx: MappingContext,
  t: { startMs: number; endNs: bigint; extraJson: string | undefined },
): OpikSpan {
  const { startMs, endNs } = t;
  const metadata = opikMetadata(fields, span, t.extraJson);
  return prune({
    id: ids.spanId,
    trace_id: ids.traceId,
    parent_span_id: ids.parentSpanId ?? undefined,
    project_name: ctx.projectName,
    name: span.name,
    type: fields.type,
    start_time: isoMs(startMs),
    end_time: isoMs(ns2ms(endNs)),
    input:
      fields.input === undefined ? undefined : { 'input.value': opikColumnValue(fields.input)! },
    output:
      fields.output === undefined ? undefined : { 'output.value': opikColumnValue(fields.output)! },
    metadata,
    tags: fields.tags.length > 0 ? fields.tags : undefined,
    usage: fields.llm && Object.keys(fields.llm.usage).length > 0 ? fields.llm.usage : undefined,
    model: fields.llm?.model,
    provider: fields.llm?.provider,
    total_estimated_cost: fields.llm?.cost,
    error_info: errorInfoOf(span),
    source: 'sdk',
  });
}

function contextOf({ resource, scope }: SpanWithIds): Record<string, Json> {
  const out: Record<string, Json> = {};
  const service = resource.resource.attributes.find((kv) => kv.key === 'service.name')?.value;
  if (service !== undefined) out['service.name'] = anyValueToJson(service);
  if (scope.scope.name !== '') out['otel.scope.name'] = scope.scope.name;
  return out;
}

function opikMetadata(
  fields: SpanFields,
  span: Span,
  extraJson: string | undefined,
): OpikSpan['metadata'] {
  const m: { [key: string]: Json } = {};
  for (const [key, value] of fields.nativeMetadata) m[key] = opikColumnValue(value)!;
  if (fields.threadId !== undefined) m.thread_id = opikColumnValue(fields.threadId)!;
  if (extraJson !== undefined) m['opik.metadata'] = JSON.parse(extraJson);
  if (span.events.length > 0) m['opentelemetry.events'] = span.events.map(eventJson);
  return Object.keys(m).length > 0 ? m : undefined;
}

/** An event as Opik keeps it in `metadata["opentelemetry.events"]`. */
function eventJson(e: Span['events'][number]): Json {
  const attributes: { [key: string]: Json } = {};
  for (const { key, value } of e.attributes) {
    const v = opikColumnValue(value);
    if (v !== undefined) attributes[key] = v;
  }
  const out: { [key: string]: Json } = { name: e.name, time_unix_nano: e.timeUnixNano };
  if (e.attributes.length > 0) out.attributes = attributes;
  return out;
}

/** The trace row a top-level span stands for (always written through the REST API). */
function traceRow(span: OpikSpan, fields: SpanFields): OpikTrace {
  const tags = fields.traceTags ?? fields.tags;
  return prune({
    id: span.trace_id,
    project_name: span.project_name,
    name: fields.traceName ?? span.name,
    start_time: span.start_time,
    end_time: span.end_time,
    input: span.input,
    output: span.output,
    metadata: span.metadata,
    tags: tags.length > 0 ? tags : undefined,
    error_info: span.error_info,
    thread_id: fields.threadId === '' ? undefined : fields.threadId,
    source: 'sdk',
  });
}

/** The object without its undefined fields (they would otherwise reach the JSON as absent anyway). */
function prune<T extends object>(o: T): T {
  for (const key of Object.keys(o) as (keyof T)[]) if (o[key] === undefined) delete o[key];
  return o;
}
