import { createHash } from 'node:crypto';
import { SpanKind, StatusCode } from '../../../pdata/traces.js';
import type { Fragment } from './fragments.js';
import { isObject, type Json, orNull, prompts, type SpanReader } from './span-reader.js';

/**
 * Dify's "Aliyun" provider (reference/dify.md §4; `aliyun_trace.py`, `traceclient.py`): the
 * trace id is the run's or message's UUID, and the span ids of the entities it knows are the
 * first 8 bytes of SHA-256 of `<uuid hex>-<kind>`, which tells each span's role; retrieval and
 * tool spans get random ids. It sends no metadata, no node execution ids and no message id for
 * a chatflow. 1.17 (PR #39339) adds `gen_ai.tool.*`, AGENT nodes and their ReAct steps.
 */

/** Dify's `convert_to_span_id(uuid, kind)`. */
export function aliyunSpanId(uuidHex: string, kind: string): string {
  return createHash('sha256').update(`${uuidHex}-${kind}`).digest('hex').slice(0, 16);
}

const uuid = (hex: string) =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

/** Node types behind each `gen_ai.span.kind` of a node span (TASK is every other type). */
const NODE_TYPE: Record<string, string> = {
  LLM: 'llm',
  RETRIEVER: 'knowledge-retrieval',
  TOOL: 'tool',
  AGENT: 'agent',
};

export function aliyunFragment(r: SpanReader): Fragment | undefined {
  const { span } = r;
  const hex = span.traceId;
  const entity = uuid(hex);
  const kind = r.str('gen_ai.span.kind');
  const common = {
    start_time: r.start,
    end_time: r.end,
    metadata: {
      conversation_id: orNull(r.str('gen_ai.session.id')),
      user_id: orNull(r.str('gen_ai.user.id')),
      ...(r.str('dify.app_id') ? { app_id: r.str('dify.app_id') } : {}),
    },
    trace_id: externalTraceId(r),
  };
  if (span.spanId === aliyunSpanId(hex, 'workflow')) {
    return {
      kind: 'run',
      runId: entity,
      appId: r.str('dify.app_id'),
      chatflow: span.parentSpanId === '' ? 'known' : 'unnamed',
      info: {
        ...common,
        message_id: null,
        conversation_id: orNull(r.str('gen_ai.session.id')),
        workflow_run_id: entity,
        workflow_run_status: span.status.code === StatusCode.ERROR ? 'failed' : 'succeeded',
        workflow_run_inputs: r.json('input.value'),
        workflow_run_outputs: r.json('output.value'),
        error: r.error ?? '',
        file_list: [],
      },
    };
  }
  const messageSpan = aliyunSpanId(hex, 'message');
  if (span.spanId === messageSpan) {
    return {
      kind: 'message',
      messageId: entity,
      appId: r.str('dify.app_id'),
      awaitsLlm: true,
      info: {
        ...common,
        message_id: entity,
        inputs: r.json('input.value'),
        outputs: r.str('output.value'),
        error: r.error ?? '',
        conversation_model: 'chat',
        conversation_mode: 'chat',
      },
    };
  }
  if (span.name === 'message' && span.kind === SpanKind.SERVER && span.parentSpanId === '') {
    // A chatflow's message: its id is hashed into the span id and sent nowhere else.
    return { kind: 'chatflow', runId: entity, appId: r.str('dify.app_id') };
  }
  if (span.spanId === aliyunSpanId(hex, 'llm')) {
    const ttft = r.int('gen_ai.response.time_to_first_token');
    return {
      kind: 'llm',
      messageId: entity,
      info: {
        message_tokens: r.int('gen_ai.usage.input_tokens'),
        answer_tokens: r.int('gen_ai.usage.output_tokens'),
        total_tokens: r.int('gen_ai.usage.total_tokens'),
        gen_ai_server_time_to_first_token: ttft === undefined ? null : ttft / 1e9,
      },
      metadata: {
        ls_provider: r.str('gen_ai.provider.name') || undefined,
        ls_model_name: r.str('gen_ai.request.model') || undefined,
      },
    };
  }
  if (span.parentSpanId === aliyunSpanId(hex, 'workflow')) return nodeFragment(r, kind, entity);
  if (span.parentSpanId === messageSpan) return scopedFragment(r, kind, entity, common);
  return kind === 'STEP' || kind === 'LLM' || kind === 'TOOL' ? { kind: 'extra' } : undefined;
}

/** The caller's trace id, which the provider sends as a link (its hex digits). */
function externalTraceId(r: SpanReader): string | null {
  return r.span.links[0]?.traceId ?? null;
}

function scopedFragment(
  r: SpanReader,
  kind: string | undefined,
  messageId: string,
  common: Json,
): Fragment | undefined {
  const { span } = r;
  if (
    span.name === 'suggested_question' &&
    span.spanId === aliyunSpanId(span.traceId, 'suggested_question')
  ) {
    return {
      kind: 'scoped',
      type: 'SuggestedQuestionTraceInfo',
      messageId,
      info: {
        ...common,
        message_id: messageId,
        inputs: r.json('input.value'),
        suggested_question: r.json('output.value'),
        error: r.error ?? null,
        model_provider: orNull(r.str('gen_ai.provider.name')),
        model_id: orNull(r.str('gen_ai.request.model')),
      },
    };
  }
  if (kind === 'RETRIEVER' && span.name === 'dataset_retrieval') {
    const docs = r.json('retrieval.document');
    return {
      kind: 'scoped',
      type: 'DatasetRetrievalTraceInfo',
      messageId,
      info: {
        ...common,
        message_id: messageId,
        inputs: r.str('retrieval.query') ?? r.str('input.value'),
        documents: Array.isArray(docs) ? docs.map(document) : [],
        error: r.error ?? null,
      },
    };
  }
  if (kind === 'TOOL') {
    const config = r.json('tool.description');
    return {
      kind: 'scoped',
      type: 'ToolTraceInfo',
      messageId,
      info: {
        ...common,
        message_id: messageId,
        tool_name: r.str('gen_ai.tool.name') ?? r.str('tool.name') ?? span.name,
        tool_inputs: r.json('gen_ai.tool.call.arguments') ?? r.json('tool.parameters'),
        tool_outputs: r.str('gen_ai.tool.call.result') ?? r.str('output.value'),
        tool_config: isObject(config) ? config : undefined,
        error: r.error ?? null,
      },
    };
  }
  return undefined;
}

/** A retrieved document as the provider sends it, back in `Document.model_dump()` form. */
function document(doc: unknown): Json {
  const d = isObject(doc) ? doc : {};
  const metadata = isObject(d.metadata) ? d.metadata : {};
  return { page_content: d.content, metadata: { ...metadata, score: d.score } };
}

function nodeFragment(r: SpanReader, kind: string | undefined, runId: string): Fragment {
  const { span } = r;
  const nodeType = NODE_TYPE[kind ?? ''];
  const callId = r.str('gen_ai.tool.call.id');
  const status =
    span.status.code === StatusCode.OK
      ? 'succeeded'
      : span.status.code === StatusCode.ERROR
        ? 'failed'
        : 'running';
  const row: Json = {
    // A tool node's call id (1.17) is its execution id; other nodes' ids are not sent.
    id: callId ?? `aliyun-${span.spanId}`,
    node_type: nodeType,
    title: span.name,
    status,
    error: r.error || null,
    created_at: r.start,
    finished_at: r.end,
    elapsed_time: r.elapsed,
    inputs: r.str('input.value'),
    outputs: r.str('output.value'),
  };
  switch (nodeType) {
    case 'llm': {
      const failed = span.status.code === StatusCode.ERROR;
      // 1.17 sends a failed node's inputs as its prompt; a prompt is a list.
      const prompt = r.json('gen_ai.prompt');
      row.inputs = failed && isObject(prompt) ? prompt : null;
      row.outputs = failed
        ? null
        : {
            text: r.str('output.value'),
            finish_reason: orNull(r.str('gen_ai.response.finish_reason')),
          };
      row.process_data = {
        prompts: prompts(prompt),
        model_provider: orNull(r.str('gen_ai.provider.name')),
        model_name: orNull(r.str('gen_ai.request.model')),
        usage: failed ? undefined : tokens(r),
      };
      break;
    }
    case 'knowledge-retrieval':
      row.inputs = { query: r.str('input.value') };
      row.outputs = { result: r.json('output.value') };
      break;
    case 'agent':
      row.outputs = { text: r.str('output.value'), usage: tokens(r) };
      break;
    default:
  }
  return { kind: 'node', row, madeUpId: callId === undefined, runId };
}

function tokens(r: SpanReader): Json {
  const ttft = r.int('gen_ai.response.time_to_first_token');
  return {
    prompt_tokens: r.int('gen_ai.usage.input_tokens'),
    completion_tokens: r.int('gen_ai.usage.output_tokens'),
    total_tokens: r.int('gen_ai.usage.total_tokens'),
    ...(ttft === undefined ? {} : { time_to_first_token: ttft / 1e9 }),
  };
}
