import { createHash } from 'node:crypto';
import { makeSpan } from '../../pdata/span.js';
import {
  type AnyValue,
  type KeyValue,
  type Span,
  type SpanEvent,
  StatusCode,
} from '../../pdata/traces.js';
import { unpaced } from '../../pipeline/pacer.js';
import type { ReceivedItem } from './items.js';
import { type LosslessJson, stringifyLosslessSteps } from './lossless-json.js';

/**
 * An Opik trace or span as a pipeline span, losing nothing (the attributes are listed in
 * docs/semantic-conventions.md, "Opik objects"): its Opik ids as `opik.*`, each field under its
 * canonical attribute or a documented `opik.*` one. The `opik` exporter writes it back as exactly
 * the object that came in.
 *
 * OTel ids: the trace id is the Opik trace id's 16 bytes; a span id is the first 8 bytes of
 * SHA-256 of `trace:<id>` or `span:<id>`. The trace itself is a span too (the parent of the
 * trace's top-level spans), so a trace viewer shows the tree Opik shows.
 */
export function toSpan(item: ReceivedItem, receivedAtNs: bigint): Span {
  return unpaced(toSpanSteps(item, receivedAtNs));
}

/** `toSpan` in steps: writing a large input, output or metadata as JSON text yields between parts. */
export function* toSpanSteps(
  item: ReceivedItem,
  receivedAtNs: bigint,
): Generator<void, Span, undefined> {
  const traceId = item.entity === 'trace' ? item.id : item.traceId!;
  const attributes: KeyValue[] = [];
  const add = (key: string, value: AnyValue | undefined) => {
    if (value !== undefined) attributes.push({ key, value });
  };
  add('opik.entity_type', item.entity);
  if (item.update) add('opik.update', true);
  add('opik.trace_id', traceId);
  if (item.entity === 'span') {
    add('opik.span_id', item.id);
    add('opik.parent_span_id', item.parentSpanId);
  }
  add('opik.project_name', item.projectName);
  add('opik.project_id', item.projectId);
  add('opik.span.type', item.type);
  yield* payload(add, 'input', item.input);
  yield* payload(add, 'output', item.output);
  if (item.metadata !== undefined)
    add('opik.metadata', yield* stringifyLosslessSteps(item.metadata));
  add('opik.tags', item.tags);
  add('opik.tags_to_add', item.tagsToAdd);
  add('opik.tags_to_remove', item.tagsToRemove);
  add('gen_ai.request.model', item.model);
  add('gen_ai.provider.name', item.provider);
  for (const [key, n] of item.usage ?? []) add(usageAttribute(key), BigInt(n));
  add('gen_ai.usage.cost', item.totalEstimatedCost);
  add('opik.total_estimated_cost_version', item.totalEstimatedCostVersion);
  add('gen_ai.conversation.id', item.threadId);
  add('opik.last_updated_at', item.lastUpdatedNs);
  add('opik.source', item.source);
  add('opik.environment', item.environment);
  add('opik.ttft', item.ttft);

  const start = item.startNs ?? item.endNs ?? receivedAtNs;
  const parent =
    item.entity === 'trace'
      ? ''
      : otelSpanId(
          item.parentSpanId === undefined ? `trace:${traceId}` : `span:${item.parentSpanId}`,
        );
  const error = errorOf(item, item.endNs ?? start);
  return makeSpan({
    traceId: otelTraceId(traceId),
    spanId: otelSpanId(`${item.entity}:${item.id}`),
    parentSpanId: parent,
    name: item.name ?? '',
    startTimeUnixNano: start,
    endTimeUnixNano: item.endNs ?? 0n,
    attributes,
    ...error,
  });
}

/** Opik's usage keys under their canonical names; any other key as `opik.usage.<key>`. */
const USAGE_NAMES: Record<string, string> = {
  prompt_tokens: 'gen_ai.usage.input_tokens',
  completion_tokens: 'gen_ai.usage.output_tokens',
  total_tokens: 'gen_ai.usage.total_tokens',
};

export function usageAttribute(key: string): string {
  return USAGE_NAMES[key] ?? `opik.usage.${key}`;
}

/** A string is plain text; any other JSON value is its JSON text. */
function* payload(
  add: (key: string, value: AnyValue | undefined) => void,
  which: 'input' | 'output',
  value: LosslessJson | undefined,
): Generator<void, void, undefined> {
  if (value === undefined) return;
  const plain = typeof value === 'string';
  add(`${which}.value`, plain ? value : yield* stringifyLosslessSteps(value));
  add(`${which}.mime_type`, plain ? 'text/plain' : 'application/json');
}

function errorOf(item: ReceivedItem, at: bigint): Pick<Span, 'status' | 'events'> | undefined {
  const info = item.errorInfo;
  if (!info) return undefined;
  const attributes: KeyValue[] = [];
  if (info.exception_type !== undefined)
    attributes.push({ key: 'exception.type', value: info.exception_type });
  if (info.message !== undefined)
    attributes.push({ key: 'exception.message', value: info.message });
  if (info.traceback !== undefined)
    attributes.push({ key: 'exception.stacktrace', value: info.traceback });
  const event: SpanEvent = {
    name: 'exception',
    timeUnixNano: at,
    attributes,
    droppedAttributesCount: 0,
  };
  return {
    status: { code: StatusCode.ERROR, message: info.message ?? info.exception_type ?? '' },
    events: [event],
  };
}

function otelTraceId(uuid: string): string {
  const hex = uuid.replaceAll('-', '');
  // All zeros is not a valid OTel trace id.
  return /^0+$/.test(hex) ? createHash('sha256').update(uuid).digest('hex').slice(0, 32) : hex;
}

function otelSpanId(seed: string): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, 16);
}
