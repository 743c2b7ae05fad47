import type { Fragment } from './fragments.js';
import {
  emptyAsNull,
  isObject,
  type Json,
  metaStr,
  orNull,
  prompts,
  type SpanReader,
  without,
} from './span-reader.js';

/**
 * Dify 1.17's "Arize Phoenix" provider with `OPS_TRACE_UNIFIED_ENABLED=true` (scope
 * `unified_phoenix_<project>`; reference/dify.md §4 "Phoenix unified dialect"): every span
 * carries `dify.span.id`; model and tokens are only in the `metadata` JSON; a chatflow's run
 * hangs under a `chatflow_<run_id>` root; message-scoped spans are traces of their own whose
 * metadata names the message.
 */

const RUN_ADDED = ['workflow_app_log_id'];
const NODE_ADDED = [
  'node_id',
  'node_execution_id',
  'node_type',
  'status',
  'model_provider',
  'model_name',
  'prompt_tokens',
  'completion_tokens',
  'retry_count',
  'retry_attempts',
];
const MESSAGE_ADDED = [
  'trace_entity_type',
  'model_provider',
  'model_name',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
];

export function unifiedFragment(r: SpanReader): Fragment | undefined {
  const { span } = r;
  if (span.name === 'api_check') return { kind: 'helper' };
  const id = r.str('dify.span.id');
  if (!id) return undefined;
  const meta = r.meta;
  if (r.get('dify.span.synthetic') === true) {
    // Loop/iteration wrappers, and the message's `llm` child, which repeats the message's facts.
    return { kind: 'helper' };
  }
  const chatflow = /^chatflow_(.+)$/.exec(span.name);
  if (chatflow && span.parentSpanId === '') {
    return { kind: 'chatflow', runId: chatflow[1]!, messageId: id, appId: metaStr(meta, 'app_id') };
  }
  if (span.name === `workflow_${id}` && metaStr(meta, 'workflow_run_id') === id)
    return runFragment(r, id);
  if (metaStr(meta, 'node_execution_id') === id) return nodeFragment(r, id);
  if (span.parentSpanId !== '') return undefined;
  if (span.name === 'message' && meta.trace_entity_type === 'message')
    return messageFragment(r, id);
  const messageId = metaStr(meta, 'message_id');
  const common = { start_time: r.start, end_time: r.end, metadata: meta, message_id: messageId };
  switch (span.name) {
    case 'moderation': {
      const out = r.json('output.value');
      const o = isObject(out) ? out : {};
      return scoped('ModerationTraceInfo', messageId, {
        ...common,
        inputs: r.json('input.value'),
        flagged: o.flagged,
        action: o.action,
        preset_response: meta.preset_response,
        query: meta.query,
      });
    }
    case 'suggested_question':
      return scoped('SuggestedQuestionTraceInfo', messageId, {
        ...common,
        inputs: r.json('input.value'),
        suggested_question: r.json('output.value'),
        status: orNull(meta.status),
        error: r.error ?? null,
        agent_based: meta.agent_based,
        from_source: orNull(meta.from_source),
      });
    case 'dataset_retrieval': {
      const out = r.json('output.value');
      return scoped('DatasetRetrievalTraceInfo', messageId, {
        ...common,
        inputs: r.json('input.value'),
        documents: isObject(out) ? out.documents : undefined,
        error: r.error ?? null,
      });
    }
    case 'generate_name':
      return {
        kind: 'standalone',
        type: 'GenerateNameTraceInfo',
        info: {
          ...common,
          conversation_id: orNull(meta.conversation_id) ?? orNull(r.str('session.id')),
          tenant_id: meta.tenant_id,
          inputs: r.json('input.value'),
          outputs: r.json('output.value'),
        },
      };
    default:
      if (meta.tool_name !== span.name) return undefined;
      return scoped('ToolTraceInfo', messageId, {
        ...common,
        tool_name: span.name,
        tool_inputs: r.json('input.value'),
        tool_outputs: r.json('output.value'),
        tool_config: meta.tool_config,
        time_cost: meta.time_cost,
        tool_parameters: meta.tool_parameters,
        error: r.error ?? null,
      });
  }
}

function scoped(type: string, messageId: string | undefined, info: Json): Fragment | undefined {
  return messageId ? { kind: 'scoped', type, messageId, info } : undefined;
}

function runFragment(r: SpanReader, runId: string): Fragment {
  const meta = r.meta;
  return {
    kind: 'run',
    runId,
    appId: metaStr(meta, 'app_id'),
    chatflow: r.span.parentSpanId === '' ? 'known' : 'parent',
    info: {
      message_id: null,
      start_time: r.start,
      end_time: r.end,
      metadata: without(meta, RUN_ADDED),
      trace_id: null,
      conversation_id: orNull(meta.conversation_id),
      workflow_app_log_id: orNull(meta.workflow_app_log_id),
      workflow_id: meta.workflow_id,
      tenant_id: meta.tenant_id,
      workflow_run_id: runId,
      workflow_run_elapsed_time: meta.elapsed_time,
      workflow_run_status: meta.status,
      workflow_run_inputs: r.json('input.value'),
      workflow_run_outputs: r.json('output.value'),
      workflow_run_version: meta.version,
      error: r.error ?? '',
      total_tokens: meta.total_tokens,
      file_list: meta.file_list,
    },
  };
}

function nodeFragment(r: SpanReader, id: string): Fragment {
  const meta = r.meta;
  const nodeType = metaStr(meta, 'node_type') ?? '';
  const prefix = `${nodeType}_`;
  const title = r.span.name.startsWith(prefix) ? r.span.name.slice(prefix.length) : '';
  const executionMetadata = without(meta, NODE_ADDED);
  // The usage the provider found (zeros when it found none), with the price the node repeats.
  const usage = Number(meta.total_tokens)
    ? {
        prompt_tokens: meta.prompt_tokens,
        completion_tokens: meta.completion_tokens,
        total_tokens: meta.total_tokens,
        total_price: executionMetadata.total_price,
        currency: executionMetadata.currency,
      }
    : undefined;
  const model = metaStr(meta, 'model_name');
  const row: Json = {
    id,
    node_execution_id: id,
    node_id: meta.node_id,
    node_type: nodeType,
    title,
    // An LLM node's input is its prompt; `{}` stands for a missing column, as in the legacy dialect.
    inputs: nodeType === 'llm' ? null : emptyAsNull(r.str('input.value')),
    outputs: emptyAsNull(r.str('output.value')),
    status: meta.status,
    error: r.error || null,
    created_at: r.start,
    finished_at: r.end,
    elapsed_time: r.elapsed,
    execution_metadata: executionMetadata,
  };
  if (model || nodeType === 'llm') {
    row.process_data = {
      prompts: nodeType === 'llm' ? prompts(r.json('input.value')) : undefined,
      model_provider: metaStr(meta, 'model_provider'),
      model_name: model,
      usage,
    };
  }
  // The provider writes the model usage's total over the node's own (0 when it found none).
  if (!Number(meta.total_tokens)) delete executionMetadata.total_tokens;
  return { kind: 'node', row };
}

function messageFragment(r: SpanReader, messageId: string): Fragment {
  const meta = r.meta;
  return {
    kind: 'message',
    messageId,
    appId: metaStr(meta, 'app_id'),
    awaitsLlm: false,
    info: {
      message_id: messageId,
      inputs: r.json('input.value'),
      outputs: r.json('output.value'),
      start_time: r.start,
      end_time: r.end,
      metadata: without(meta, MESSAGE_ADDED),
      conversation_model: meta.agent_based ? 'agent-chat' : 'chat',
      message_tokens: meta.prompt_tokens,
      answer_tokens: meta.completion_tokens,
      total_tokens: meta.total_tokens,
      error: r.error ?? '',
      // Not sent in this dialect; Dify's agent apps are the `agent_based` ones.
      conversation_mode: meta.agent_based ? 'agent-chat' : 'chat',
    },
  };
}
