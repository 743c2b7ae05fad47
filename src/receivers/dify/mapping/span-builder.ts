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

/** Builds the span; attribute order is fixed so the same spec always gives the same bytes. */
export function buildSpan(spec: SpanSpec): Span {
  const attrs: KeyValue[] = [];
  const put = (key: string, value: string | bigint | number | readonly string[] | undefined) => {
    if (value !== undefined && value !== '') attrs.push({ key, value });
  };
  putOpikIds(spec, put);
  putGenAi(spec.genAi ?? {}, put);
  putPayload('input', spec.input, put);
  putPayload('output', spec.output, put);
  if (spec.tags?.length) put('opik.tags', spec.tags);
  put('opik.trace.name', spec.traceName);
  if (spec.traceTags?.length) put('opik.trace.tags', spec.traceTags);
  put('opik.metadata', JSON.stringify(spec.metadata));
  for (const [key, value] of Object.entries(spec.dify)) put(`dify.${key}`, value);
  const end = notBefore(spec.end, spec.start.ns);
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
    ...(spec.error ? errorParts(spec.error, end) : {}),
  });
}

/** A span never ends before it starts (bigint: Math.max does not apply). */
function notBefore(end: bigint, start: bigint): bigint {
  if (end < start) return start;
  return end;
}

type Put = (key: string, value: string | bigint | number | readonly string[] | undefined) => void;

/**
 * The Opik ids this envelope decides. A missing `opik.trace_id` is the exporter's to derive
 * (`refs.ts`); the span and parent ids do not depend on it and go out whenever they are known.
 */
function putOpikIds(spec: SpanSpec, put: Put): void {
  put('opik.trace_id', spec.trace.opikTraceId);
  put('opik.span_id', spec.opikSpanId);
  put('opik.parent_span_id', spec.parent?.opikSpanId);
}

const int = (n: number | undefined) => (n === undefined ? undefined : BigInt(Math.trunc(n)));

function putGenAi(g: GenAiFacts, put: Put): void {
  put('gen_ai.operation.name', g.operation);
  put('opik.span.type', g.spanType);
  put('gen_ai.provider.name', providerName(g.provider));
  put('gen_ai.request.model', g.model);
  put('gen_ai.usage.input_tokens', int(g.inputTokens));
  put('gen_ai.usage.output_tokens', int(g.outputTokens));
  put('gen_ai.usage.total_tokens', int(g.totalTokens));
  put('gen_ai.usage.cost', g.costUsd);
  put('gen_ai.tool.name', g.toolName);
  put('gen_ai.data_source.id', g.dataSourceId);
  put('gen_ai.conversation.id', g.conversationId);
}

function putPayload(prefix: 'input' | 'output', value: unknown, put: Put): void {
  const p = payload(value);
  if (!p) return;
  put(`${prefix}.value`, p.text);
  put(`${prefix}.mime_type`, p.json ? 'application/json' : 'text/plain');
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
