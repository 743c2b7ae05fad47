import { mapSpans } from '../../pdata/map-spans.js';
import type { AnyValue, Span, Traces } from '../../pdata/traces.js';
import type { SpanRef } from './mapping.js';
import type { OpikErrorInfo, OpikSource, OpikSpan, OpikSpanType, OpikTrace } from './opik-types.js';
import { anyValueToJson, type Json, RawJson } from './values.js';

/**
 * Spans the `opik` receiver made from Opik objects (`opik.entity_type`), turned back into exactly
 * those objects (docs/semantic-conventions.md, "Opik objects"). They bypass the canonical mapping
 * and Opik's OTLP endpoint, which cannot express them at all: Opik's OTLP mapping stores metadata
 * and output keys under attribute names, never an array or string input, truncates times to
 * milliseconds (the Python SDK sends microseconds), and sets its own `last_updated_at`, `source`,
 * trace rows and ids. So they go through the REST API on either path: creates with the batch
 * endpoints, updates (a PATCH that came in) with `PATCH /v1/private/{traces|spans}/{id}`.
 *
 * Attributes a processor added to such a span (anything not in the vocabulary below) are merged
 * into the object's metadata, so redaction, `attributes` and the like work on these spans too.
 */
export type ReceivedObject =
  | { readonly write: 'create'; readonly entity: 'trace'; readonly item: OpikTrace }
  | {
      readonly write: 'create';
      readonly entity: 'span';
      readonly item: OpikSpan;
      readonly ref: SpanRef;
    }
  | {
      readonly write: 'update';
      readonly entity: 'trace' | 'span';
      readonly id: string;
      readonly body: { [key: string]: Json };
    };

/** The attributes the `opik` receiver writes; any other one was added in the pipeline. */
const VOCABULARY = new Set([
  'opik.entity_type',
  'opik.update',
  'opik.trace_id',
  'opik.span_id',
  'opik.parent_span_id',
  'opik.project_name',
  'opik.project_id',
  'opik.span.type',
  'input.value',
  'input.mime_type',
  'output.value',
  'output.mime_type',
  'opik.metadata',
  'opik.tags',
  'opik.tags_to_add',
  'opik.tags_to_remove',
  'gen_ai.request.model',
  'gen_ai.provider.name',
  'gen_ai.usage.input_tokens',
  'gen_ai.usage.output_tokens',
  'gen_ai.usage.total_tokens',
  'gen_ai.usage.cost',
  'opik.total_estimated_cost_version',
  'gen_ai.conversation.id',
  'opik.last_updated_at',
  'opik.source',
  'opik.environment',
  'opik.ttft',
]);
const USAGE_KEYS: Record<string, string> = {
  'gen_ai.usage.input_tokens': 'prompt_tokens',
  'gen_ai.usage.output_tokens': 'completion_tokens',
  'gen_ai.usage.total_tokens': 'total_tokens',
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Takes the received Opik objects out of a batch: the rest goes through the canonical mapping.
 * `projectName` is the exporter's, for objects that named none.
 */
export function takeReceivedObjects(
  traces: Traces,
  projectName: string,
): { received: ReceivedObject[]; rest: Traces } {
  const received: ReceivedObject[] = [];
  const rest = mapSpans(traces, ({ span }) => {
    const object = receivedObject(span, projectName);
    if (!object) return span;
    received.push(object);
    return null;
  });
  return { received, rest };
}

/** Whether a span stands for a received Opik object (cheap: the marker and the ids). */
export function isReceivedObject(span: Span): boolean {
  let entity: AnyValue | undefined;
  let trace: AnyValue | undefined;
  let spanId: AnyValue | undefined;
  for (const { key, value } of span.attributes) {
    if (key === 'opik.entity_type') entity ??= value;
    else if (key === 'opik.trace_id') trace ??= value;
    else if (key === 'opik.span_id') spanId ??= value;
  }
  if (!id(trace)) return false;
  return entity === 'trace' || (entity === 'span' && id(spanId) !== undefined);
}

/** The Opik object a span stands for, or undefined for a span that is not one (or lost its ids). */
export function receivedObject(span: Span, projectName: string): ReceivedObject | undefined {
  if (!isReceivedObject(span)) return undefined;
  const a = new Map<string, AnyValue>();
  const extra: { [key: string]: Json } = {};
  for (const { key, value } of span.attributes) {
    if (VOCABULARY.has(key) || key.startsWith('opik.usage.')) {
      if (!a.has(key)) a.set(key, value);
    } else extra[key] = anyValueToJson(value);
  }
  const entity = a.get('opik.entity_type') as 'trace' | 'span';
  const traceId = id(a.get('opik.trace_id'))!;
  const spanId = id(a.get('opik.span_id'));
  const str = (key: string) => {
    const v = a.get(key);
    return typeof v === 'string' ? v : undefined;
  };
  const o = {
    project_name: str('opik.project_name') ?? projectName,
    project_id: str('opik.project_id'),
    name: span.name,
    start_time: isoNs(span.startTimeUnixNano),
    end_time: span.endTimeUnixNano === 0n ? undefined : isoNs(span.endTimeUnixNano),
    input: payload(str('input.value'), str('input.mime_type')),
    output: payload(str('output.value'), str('output.mime_type')),
    metadata: metadataOf(str('opik.metadata'), extra),
    tags: strings(a.get('opik.tags')),
    tags_to_add: strings(a.get('opik.tags_to_add')),
    tags_to_remove: strings(a.get('opik.tags_to_remove')),
    model: str('gen_ai.request.model'),
    provider: str('gen_ai.provider.name'),
    usage: usageOf(a),
    error_info: errorInfoOf(span),
    last_updated_at: nsText(a.get('opik.last_updated_at')),
    total_estimated_cost: num(a.get('gen_ai.usage.cost')),
    total_estimated_cost_version: str('opik.total_estimated_cost_version'),
    ttft: num(a.get('opik.ttft')),
    source: str('opik.source') as OpikSource | undefined,
    environment: str('opik.environment'),
    thread_id: str('gen_ai.conversation.id'),
    type: str('opik.span.type') as OpikSpanType | undefined,
  };
  if (a.get('opik.update') === true) {
    const common = {
      project_name: o.project_name,
      project_id: o.project_id,
      name: span.name === '' ? undefined : span.name,
      end_time: o.end_time,
      input: o.input,
      output: o.output,
      metadata: o.metadata,
      tags: o.tags,
      tags_to_add: o.tags_to_add,
      tags_to_remove: o.tags_to_remove,
      error_info: o.error_info as Json | undefined,
      ttft: o.ttft,
      source: o.source,
      environment: o.environment,
    };
    const body: { [key: string]: Json | undefined } =
      entity === 'trace'
        ? { ...common, thread_id: o.thread_id }
        : {
            ...common,
            trace_id: traceId,
            parent_span_id: id(a.get('opik.parent_span_id')),
            type: o.type,
            model: o.model,
            provider: o.provider,
            usage: o.usage,
            total_estimated_cost: o.total_estimated_cost,
          };
    return {
      write: 'update',
      entity,
      id: entity === 'trace' ? traceId : spanId!,
      body: prune(body) as { [key: string]: Json },
    };
  }
  const common = {
    start_time: o.start_time,
    end_time: o.end_time,
    input: o.input,
    output: o.output,
    // Any JSON here (Opik takes any); the exporter's own items always carry an object.
    metadata: o.metadata as { [key: string]: Json } | undefined,
  };
  const tail = {
    last_updated_at: o.last_updated_at,
    ttft: o.ttft,
    source: o.source,
    environment: o.environment,
  };
  if (entity === 'trace') {
    const item: OpikTrace = prune({
      id: traceId,
      project_name: o.project_name,
      name: o.name,
      ...common,
      tags: o.tags,
      error_info: o.error_info,
      thread_id: o.thread_id,
      ...tail,
    });
    return { write: 'create', entity, item };
  }
  const parent = id(a.get('opik.parent_span_id'));
  const item: OpikSpan = prune({
    id: spanId!,
    project_name: o.project_name,
    trace_id: traceId,
    parent_span_id: parent,
    name: o.name,
    type: o.type ?? 'general',
    ...common,
    model: o.model,
    provider: o.provider,
    tags: o.tags,
    usage: o.usage,
    error_info: o.error_info,
    total_estimated_cost: o.total_estimated_cost,
    total_estimated_cost_version: o.total_estimated_cost_version,
    ...tail,
  });
  const ref: SpanRef = {
    id: item.id,
    trace_id: traceId,
    parent_span_id: parent,
    project_name: o.project_name,
    name: span.name,
    startMs: Number(span.startTimeUnixNano / 1_000_000n),
    hasUsage: false,
    error: item.error_info !== undefined,
  };
  return { write: 'create', entity, item, ref };
}

function id(v: AnyValue | undefined): string | undefined {
  return typeof v === 'string' && UUID.test(v) ? v : undefined;
}

/** `input.value`/`output.value` back to the JSON Opik was sent: JSON text as is, plain text as a string. */
function payload(value: string | undefined, mime: string | undefined): Json | undefined {
  if (value === undefined) return undefined;
  return mime === 'application/json' ? rawJsonOf(value) : value;
}

/** JSON text kept byte for byte when it parses (a processor may have broken it: then it is text). */
function rawJsonOf(text: string): Json {
  try {
    JSON.parse(text);
    return new RawJson(text);
  } catch {
    return text;
  }
}

function metadataOf(text: string | undefined, extra: { [key: string]: Json }): Json | undefined {
  if (Object.keys(extra).length === 0) return text === undefined ? undefined : rawJsonOf(text);
  if (text === undefined) return extra;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  // Attributes added in the pipeline join an object; metadata of another shape stays as it came.
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return new RawJson(text);
  return { ...(parsed as { [key: string]: Json }), ...extra };
}

function strings(v: AnyValue | undefined): string[] | undefined {
  return Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : undefined;
}

function num(v: AnyValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  return typeof v === 'bigint' ? Number(v) : undefined;
}

function nsText(v: AnyValue | undefined): string | undefined {
  return typeof v === 'bigint' ? isoNs(v) : undefined;
}

function usageOf(a: Map<string, AnyValue>): { [key: string]: number } | undefined {
  const usage: { [key: string]: number } = {};
  for (const [key, value] of a) {
    const name = USAGE_KEYS[key] ?? (key.startsWith('opik.usage.') ? key.slice(11) : undefined);
    const n = num(value);
    if (name !== undefined && n !== undefined) usage[name] = Math.trunc(n);
  }
  return Object.keys(usage).length > 0 ? usage : undefined;
}

/** The last `exception` event, field for field (Opik does not require any of them). */
function errorInfoOf(span: Span): OpikErrorInfo | undefined {
  const event = span.events.filter((e) => e.name === 'exception').at(-1);
  if (!event) return undefined;
  const get = (key: string) => {
    const v = event.attributes.find((kv) => kv.key === key)?.value;
    return typeof v === 'string' ? v : undefined;
  };
  return prune({
    exception_type: get('exception.type'),
    message: get('exception.message'),
    traceback: get('exception.stacktrace'),
  }) as OpikErrorInfo;
}

/** An instant as Java prints it: `…T08:30:01.123456Z`, with 0, 3, 6 or 9 fractional digits. */
export function isoNs(ns: bigint): string {
  const seconds = ns / 1_000_000_000n - (ns % 1_000_000_000n < 0n ? 1n : 0n);
  const nanos = ns - seconds * 1_000_000_000n;
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  if (nanos === 0n) return `${base}Z`;
  let digits = nanos.toString().padStart(9, '0');
  while (digits.endsWith('000')) digits = digits.slice(0, -3);
  return `${base}.${digits}Z`;
}

function prune<T extends object>(o: T): T {
  for (const key of Object.keys(o) as (keyof T)[]) if (o[key] === undefined) delete o[key];
  return o;
}
