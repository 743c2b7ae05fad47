import type { Fragment } from './fragments.js';
import {
  emptyAsNull,
  isObject,
  type Json,
  metaStr,
  orNull,
  parseJson,
  prompts,
  type SpanReader,
  without,
} from './span-reader.js';

/**
 * Dify's "Arize Phoenix" provider, legacy dialect (scope `arize_phoenix_tracer_<project>`;
 * reference/dify.md §4, `arize_phoenix_trace.py`). Every span but the nodes' carries Dify's ids
 * in its `metadata` JSON, which is the trace info's own metadata plus keys the provider adds
 * (`wrap_span_metadata`); those are taken back out here, and the fields they came from restored.
 */

const ADDED = ['created_from', 'trace_id', 'status_message', 'level', 'trace_entity_type'];
const ADDED_BY_TYPE: Record<string, readonly string[]> = {
  workflow: [
    ...ADDED,
    'message_id',
    'workflow_app_log_id',
    'workflow_run_elapsed_time',
    'workflow_run_version',
    'query',
  ],
  message: [
    ...ADDED,
    'conversation_model',
    'message_tokens',
    'answer_tokens',
    'total_tokens',
    'conversation_mode',
    'gen_ai_server_time_to_first_token',
    'llm_streaming_time_to_generate',
    'is_streaming_request',
    'file_list',
    'model_provider',
    'model_id',
    'end_user_id',
  ],
  moderation: [...ADDED, 'status', 'model_provider', 'model_id'],
  suggested_question: [...ADDED, 'total_tokens', 'model_provider', 'model_id'],
  dataset_retrieval: [...ADDED, 'model_provider', 'model_id'],
  tool: [...ADDED, 'status', 'file_url'],
};
/** What a node span's metadata adds to the node's `execution_metadata`. */
const NODE_ADDED = [
  'node_id',
  'node_type',
  'node_status',
  'tenant_id',
  'app_id',
  'app_name',
  'status',
  'status_message',
  'level',
  'ls_provider',
  'ls_model_name',
];
const NODE_NULLABLE = ['loop_id', 'loop_index', 'iteration_id', 'iteration_index'];

export function legacyFragment(r: SpanReader): Fragment | undefined {
  const { span } = r;
  if (span.name === 'api_check') return { kind: 'helper' };
  if (r.has('dify_trace_id') && span.parentSpanId === '') {
    // 1.14.1+ names a workflow's root after the run (≤1.14.0 and messages: "Dify").
    return { kind: 'helper', runId: /^[0-9a-f-]{36}$/i.test(span.name) ? span.name : undefined };
  }
  if (r.get('dify.wrapper.synthetic') === true) return { kind: 'helper' };
  const meta = r.meta;
  const node =
    r.str('dify.node.execution_id') ??
    (meta.node_status !== undefined ? metaStr(meta, 'node_id') : undefined);
  if (node) return nodeFragment(r, node);
  const type = metaStr(meta, 'trace_entity_type');
  const messageId = metaStr(meta, 'message_id');
  switch (type) {
    case 'workflow':
      return runFragment(r);
    case 'message':
      if (!messageId) return undefined;
      return span.name === 'llm' ? llmFragment(r, messageId) : messageFragment(r, messageId);
    case 'moderation': {
      const out = r.json('output.value');
      const o = isObject(out) ? out : {};
      return scoped(r, 'ModerationTraceInfo', messageId, {
        inputs: r.json('input.value'),
        flagged: o.flagged,
        action: o.action,
        preset_response: o.preset_response,
        query: o.query,
      });
    }
    case 'suggested_question':
      return scoped(r, 'SuggestedQuestionTraceInfo', messageId, {
        inputs: r.json('input.value'),
        suggested_question: r.json('output.value'),
        total_tokens: meta.total_tokens,
        status: orNull(meta.status),
        error: r.error ?? null,
        agent_based: meta.agent_based,
        from_source: orNull(meta.from_source),
        model_provider: orNull(meta.model_provider),
        model_id: orNull(meta.model_id),
        level: meta.level,
        status_message: orNull(meta.status_message),
      });
    case 'dataset_retrieval': {
      const out = r.json('output.value');
      return scoped(r, 'DatasetRetrievalTraceInfo', messageId, {
        inputs: r.json('input.value'),
        documents: isObject(out) ? out.documents : undefined,
        error: r.error ?? null,
      });
    }
    case 'tool':
      return scoped(r, 'ToolTraceInfo', messageId, {
        tool_name: span.name,
        tool_inputs: r.json('input.value'),
        tool_outputs: r.str('output.value'),
        tool_config:
          typeof meta.tool_config === 'string' ? parseJson(meta.tool_config) : meta.tool_config,
        time_cost: meta.time_cost,
        tool_parameters: r.json('tool.parameters'),
        file_url: orNull(meta.file_url),
        error: r.error ?? null,
      });
    case 'generate_name':
      return {
        kind: 'standalone',
        type: 'GenerateNameTraceInfo',
        appId: metaStr(meta, 'app_id'),
        info: {
          conversation_id: orNull(meta.conversation_id),
          tenant_id: meta.tenant_id,
          inputs: r.json('input.value'),
          outputs: r.json('output.value'),
          start_time: r.start,
          end_time: r.end,
          metadata: { conversation_id: meta.conversation_id, tenant_id: meta.tenant_id },
          trace_id: orNull(meta.trace_id),
        },
      };
    default:
      return undefined;
  }
}

function runFragment(r: SpanReader): Fragment | undefined {
  const meta = r.meta;
  const runId = metaStr(meta, 'workflow_run_id');
  if (!runId) return undefined;
  const fileList = typeof meta.file_list === 'string' ? parseJson(meta.file_list) : meta.file_list;
  return {
    kind: 'run',
    runId,
    appId: metaStr(meta, 'app_id'),
    chatflow: 'known',
    info: {
      message_id: orNull(meta.message_id),
      start_time: r.start,
      end_time: r.end,
      metadata: { ...without(meta, ADDED_BY_TYPE.workflow!), file_list: fileList },
      trace_id: orNull(meta.trace_id),
      conversation_id: orNull(meta.conversation_id),
      workflow_app_log_id: orNull(meta.workflow_app_log_id),
      workflow_id: meta.workflow_id,
      tenant_id: meta.tenant_id,
      workflow_run_id: runId,
      workflow_run_elapsed_time: meta.workflow_run_elapsed_time,
      workflow_run_status: meta.status,
      workflow_run_inputs: r.json('input.value'),
      workflow_run_outputs: r.json('output.value'),
      workflow_run_version: meta.workflow_run_version,
      error: metaStr(meta, 'status_message') ?? r.error ?? '',
      total_tokens: meta.total_tokens,
      file_list: fileList,
      query: meta.query,
    },
  };
}

function nodeFragment(r: SpanReader, id: string): Fragment {
  const meta = r.meta;
  const nodeType = metaStr(meta, 'node_type');
  const executionMetadata = without(meta, NODE_ADDED);
  for (const k of NODE_NULLABLE) if (executionMetadata[k] === null) delete executionMetadata[k];
  const row: Json = {
    id,
    node_execution_id: id,
    node_type: nodeType,
    title: typeof meta.app_name === 'string' ? meta.app_name : null,
    tenant_id: meta.tenant_id,
    app_id: meta.app_id,
    // The provider writes `inputs or {}`, `outputs or {}`: an empty object is a missing column.
    inputs: emptyAsNull(r.str('input.value')),
    outputs: emptyAsNull(r.str('output.value')),
    status: meta.status,
    error: metaStr(meta, 'status_message') ?? null,
    created_at: r.start,
    finished_at: r.end,
    elapsed_time: r.elapsed,
    execution_metadata: executionMetadata,
  };
  if (nodeType === 'llm') {
    // An LLM node's `input.value` is its prompt messages, not its inputs.
    delete executionMetadata.prompt_tokens;
    delete executionMetadata.completion_tokens;
    row.inputs = null;
    row.process_data = {
      prompts: prompts(r.json('input.value')),
      model_provider: r.str('llm.provider') ?? metaStr(meta, 'ls_provider'),
      model_name: r.str('llm.model_name') ?? metaStr(meta, 'ls_model_name'),
      usage: usage(r, executionMetadata),
    };
  }
  return { kind: 'node', row };
}

/** The node's LLM usage: its token counts, and the price its execution metadata repeats. */
function usage(r: SpanReader, executionMetadata: Json): Json | undefined {
  const total = r.int('llm.token_count.total');
  if (total === undefined) return undefined;
  return {
    prompt_tokens: r.int('llm.token_count.prompt'),
    completion_tokens: r.int('llm.token_count.completion'),
    total_tokens: total,
    total_price: executionMetadata.total_price,
    currency: executionMetadata.currency,
  };
}

function messageFragment(r: SpanReader, messageId: string): Fragment {
  const meta = r.meta;
  const fileList = typeof meta.file_list === 'string' ? parseJson(meta.file_list) : meta.file_list;
  return {
    kind: 'message',
    messageId,
    appId: metaStr(meta, 'app_id'),
    awaitsLlm: true,
    info: {
      message_id: messageId,
      message_data: {
        id: messageId,
        app_id: orNull(meta.app_id),
        conversation_id: orNull(meta.conversation_id),
        model_id: orNull(meta.model_id),
        query: r.str('input.value'),
        answer: r.str('output.value'),
        status: orNull(meta.status),
        from_end_user_id: orNull(meta.from_end_user_id),
        from_account_id: orNull(meta.from_account_id),
        created_at: r.start,
        agent_based: meta.agent_based,
        workflow_run_id: orNull(meta.workflow_run_id),
      },
      outputs: r.str('output.value'),
      start_time: r.start,
      end_time: r.end,
      metadata: without(meta, ADDED_BY_TYPE.message!),
      trace_id: orNull(meta.trace_id),
      conversation_model: meta.conversation_model,
      message_tokens: meta.message_tokens,
      answer_tokens: meta.answer_tokens,
      total_tokens: meta.total_tokens,
      error: metaStr(meta, 'status_message') ?? r.error ?? '',
      file_list: fileList,
      conversation_mode: meta.conversation_mode,
      // The provider writes 0 for "none".
      gen_ai_server_time_to_first_token: meta.gen_ai_server_time_to_first_token || null,
      llm_streaming_time_to_generate: meta.llm_streaming_time_to_generate || null,
      is_streaming_request: meta.is_streaming_request,
    },
  };
}

function llmFragment(r: SpanReader, messageId: string): Fragment {
  const output = r.str('output.value');
  return {
    kind: 'llm',
    messageId,
    info: {
      inputs: r.json('input.value'),
      outputs:
        r.str('output.mime_type') === 'application/json' && output !== undefined
          ? parseJson(output)
          : output,
    },
  };
}

function scoped(
  r: SpanReader,
  type: string,
  messageId: string | undefined,
  fields: Json,
): Fragment | undefined {
  if (!messageId) return undefined;
  const entity = metaStr(r.meta, 'trace_entity_type')!;
  return {
    kind: 'scoped',
    type,
    messageId,
    info: {
      message_id: messageId,
      start_time: r.start,
      end_time: r.end,
      trace_id: orNull(r.meta.trace_id),
      metadata: without(r.meta, ADDED_BY_TYPE[entity] ?? ADDED),
      ...fields,
    },
  };
}
