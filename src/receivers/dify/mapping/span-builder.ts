import { makeSpan } from '../../../pdata/span.js';
import {
  type KeyValue,
  type Span,
  type SpanKind,
  type SpanLink,
  StatusCode,
} from '../../../pdata/traces.js';
import type { SpanRef, TraceRef } from './refs.js';
import type { ParsedTime } from './time.js';
import { payload, providerName } from './values.js';

/** GenAI facts of a span, in docs/semantic-conventions.md terms. */
export interface GenAiFacts {
  readonly operation?: string;
  readonly spanType?: 'llm' | 'tool' | 'general' | 'guardrail';
  /** Dify's provider as written (`langgenius/openai/openai`); reduced on the way out. */
  readonly provider?: string;
  readonly model?: string;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly totalTokens?: number;
  readonly costUsd?: number;
  readonly toolName?: string;
  readonly dataSourceId?: string;
  readonly conversationId?: string;
}

/** Dify's own ids, each becoming `dify.<key>`. */
export interface DifyIds {
  readonly app_id?: string;
  readonly tenant_id?: string;
  readonly workflow_id?: string;
  readonly workflow_run_id?: string;
  readonly node_execution_id?: string;
  readonly node_type?: string;
  readonly message_id?: string;
  readonly conversation_id?: string;
  readonly user_id?: string;
}

/** Everything a mapper decides about one span; `buildSpan` turns it into attributes. */
export interface SpanSpec {
  readonly name: string;
  readonly kind: SpanKind;
  readonly trace: TraceRef;
  readonly spanId: string;
  readonly opikSpanId?: string;
  readonly parent?: SpanRef;
  readonly start: ParsedTime;
  readonly end: bigint;
  readonly genAi?: GenAiFacts;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly tags?: readonly string[];
  /** Set only where the Opik trace differs from the root span (a chatflow's is `message`). */
  readonly traceName?: string;
  readonly traceTags?: readonly string[];
  readonly metadata: Record<string, unknown>;
  readonly dify: DifyIds;
  readonly error?: { readonly type: string; readonly message: string };
  readonly links?: readonly SpanLink[];
}

/** `dify.<key>` for each of Dify's ids, built once. */
const DIFY_ATTRIBUTE: Readonly<Record<keyof DifyIds, string>> = {
  app_id: 'dify.app_id',
  tenant_id: 'dify.tenant_id',
  workflow_id: 'dify.workflow_id',
  workflow_run_id: 'dify.workflow_run_id',
  node_execution_id: 'dify.node_execution_id',
  node_type: 'dify.node_type',
  message_id: 'dify.message_id',
  conversation_id: 'dify.conversation_id',
  user_id: 'dify.user_id',
};

/** Builds the span; attribute order is fixed so the same spec always gives the same bytes. */
export function buildSpan(spec: SpanSpec): Span {
  const attrs: KeyValue[] = [];
  // The Opik ids this envelope decides. A missing `opik.trace_id` is the exporter's to derive
  // (`refs.ts`); the span and parent ids do not depend on it and go out whenever they are known.
  put(attrs, 'opik.trace_id', spec.trace.opikTraceId);
  put(attrs, 'opik.span_id', spec.opikSpanId);
  put(attrs, 'opik.parent_span_id', spec.parent?.opikSpanId);
  if (spec.genAi) putGenAi(attrs, spec.genAi);
  putPayload(attrs, 'input.value', 'input.mime_type', spec.input);
  putPayload(attrs, 'output.value', 'output.mime_type', spec.output);
  if (spec.tags?.length) put(attrs, 'opik.tags', spec.tags);
  put(attrs, 'opik.trace.name', spec.traceName);
  if (spec.traceTags?.length) put(attrs, 'opik.trace.tags', spec.traceTags);
  put(attrs, 'opik.metadata', JSON.stringify(spec.metadata));
  const dify = spec.dify;
  for (const key in dify)
    put(attrs, DIFY_ATTRIBUTE[key as keyof DifyIds], dify[key as keyof DifyIds]);
  const end = notBefore(spec.end, spec.start.ns);
  const failed = spec.error ? errorParts(spec.error, end) : undefined;
  return makeSpan({
    traceId: spec.trace.traceId,
    spanId: spec.spanId,
    parentSpanId: spec.parent?.spanId ?? '',
    name: spec.name,
    kind: spec.kind,
    startTimeUnixNano: spec.start.ns,
    endTimeUnixNano: end,
    attributes: attrs,
    links: spec.links ?? [],
    events: failed?.events,
    status: failed?.status,
  });
}

/** A span never ends before it starts (bigint: Math.max does not apply). */
function notBefore(end: bigint, start: bigint): bigint {
  if (end < start) return start;
  return end;
}

/** Adds the attribute unless the value is missing or empty. */
function put(
  attrs: KeyValue[],
  key: string,
  value: string | bigint | number | readonly string[] | undefined,
): void {
  if (value !== undefined && value !== '') attrs.push({ key, value });
}

const int = (n: number | undefined) => (n === undefined ? undefined : BigInt(Math.trunc(n)));

function putGenAi(attrs: KeyValue[], g: GenAiFacts): void {
  put(attrs, 'gen_ai.operation.name', g.operation);
  put(attrs, 'opik.span.type', g.spanType);
  put(attrs, 'gen_ai.provider.name', providerName(g.provider));
  put(attrs, 'gen_ai.request.model', g.model);
  put(attrs, 'gen_ai.usage.input_tokens', int(g.inputTokens));
  put(attrs, 'gen_ai.usage.output_tokens', int(g.outputTokens));
  put(attrs, 'gen_ai.usage.total_tokens', int(g.totalTokens));
  put(attrs, 'gen_ai.usage.cost', g.costUsd);
  put(attrs, 'gen_ai.tool.name', g.toolName);
  put(attrs, 'gen_ai.data_source.id', g.dataSourceId);
  put(attrs, 'gen_ai.conversation.id', g.conversationId);
}

function putPayload(attrs: KeyValue[], valueKey: string, typeKey: string, value: unknown): void {
  const p = payload(value);
  if (!p) return;
  put(attrs, valueKey, p.text);
  put(attrs, typeKey, p.json ? 'application/json' : 'text/plain');
}

/** Status ERROR plus the `exception` event Opik turns into `error_info`. */
function errorParts(error: { type: string; message: string }, at: bigint) {
  return {
    status: { code: StatusCode.ERROR, message: error.message },
    events: [
      {
        timeUnixNano: at,
        name: 'exception',
        attributes: [
          { key: 'exception.type', value: error.type },
          { key: 'exception.message', value: error.message },
        ],
        droppedAttributesCount: 0,
      },
    ],
  };
}
