import { getString } from '../../pdata/attributes.js';
import type { SpanInContext } from '../../pdata/map-spans.js';
import type { KeyValue, Span } from '../../pdata/traces.js';
import { spanIdFor, traceIdFor } from '../../receivers/dify/mapping/ids.js';

/** Dify ids a Phoenix span carries in its `metadata` JSON attribute (reference/dify.md §4). */
interface DifyMeta {
  readonly workflow_run_id?: string;
  readonly message_id?: string;
  readonly conversation_id?: string;
  readonly app_id?: string;
  readonly tenant_id?: string;
  readonly user_id?: string;
  readonly node_type?: string;
}

/** True for spans that Dify's "Arize Phoenix" provider sends. */
export function isDifyPhoenix({ resource, scope }: SpanInContext): boolean {
  return (
    scope.name.startsWith('arize_phoenix_tracer') ||
    resource.attributes.some((kv) => kv.key === 'openinference.project.name')
  );
}

/**
 * Spans that are Dify's bookkeeping, not the user's work: the `api_check` span sent when the
 * tracing config is saved, and the synthetic root created at export time (no parent, named after
 * the run or "Dify", carrying `dify_trace_id`/`dify_project_name`).
 */
export function isDifyHelperSpan(span: Span): boolean {
  if (span.name === 'api_check') return true;
  if (span.parentSpanId !== '') return false;
  return span.attributes.some((kv) => kv.key === 'dify_trace_id' || kv.key === 'dify_project_name');
}

/** What a node's type says, as the envelope receiver reads it (retrieval and tools are tools). */
function nodeFacts(nodeType: string | undefined): KeyValue[] {
  switch (nodeType) {
    case 'knowledge-retrieval':
      return [
        { key: 'gen_ai.operation.name', value: 'retrieval' },
        { key: 'opik.span.type', value: 'tool' },
      ];
    case 'tool':
      return [{ key: 'gen_ai.operation.name', value: 'execute_tool' }];
    case 'agent':
      return [{ key: 'gen_ai.operation.name', value: 'invoke_agent' }];
    case 'http-request':
      return [{ key: 'opik.span.type', value: 'tool' }];
    default:
      return [];
  }
}

/**
 * A model node's input is its prompt messages, as the envelope receiver shows it: Phoenix puts
 * the node's inputs in `input.value` and the prompt in `llm.input_messages.*`.
 */
function promptAsInput(span: Span): KeyValue[] {
  const messages: Array<Record<string, unknown>> = [];
  for (const { key, value } of span.attributes) {
    const m = /^llm\.input_messages\.(\d+)\.message\.(role|content)$/.exec(key);
    if (!m) continue;
    const i = Number(m[1]);
    const item = messages[i] ?? {};
    messages[i] = item;
    item[m[2] === 'content' ? 'text' : 'role'] = value;
  }
  if (messages.length === 0) return [];
  return [
    { key: 'input.value', value: JSON.stringify(messages.filter(Boolean)) },
    { key: 'input.mime_type', value: 'application/json' },
  ];
}

function meta(span: Span): DifyMeta {
  const raw = getString(span.attributes, 'metadata');
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed !== null && typeof parsed === 'object' ? (parsed as DifyMeta) : {};
  } catch {
    return {};
  }
}

/**
 * Gives a Dify Phoenix span the OTel ids the `dify` envelope receiver gives the same entity,
 * rebuilt from the Dify ids in its metadata: the trace id is the run's (or message's) UUID, span
 * ids are seeded on the entity. So re-sending gives the same ids, and the spans of one run or
 * message meet in one trace whatever order they arrive in (Dify's SimpleSpanProcessor sends one
 * span per request, children first); node spans hang directly under their run, as the receiver
 * puts them. Opik ids are left to the `opik` exporter, which derives them from these OTel ids:
 * Dify's own Opik ids need the run's start time, which node spans do not carry, and a trace whose
 * spans mixed both kinds of id would split.
 */
export function rebuildDifyIds(span: Span): Span {
  const m = meta(span);
  const dify: Record<string, string | undefined> = {
    app_id: m.app_id,
    tenant_id: m.tenant_id,
    workflow_run_id: m.workflow_run_id,
    message_id: m.message_id,
    conversation_id: m.conversation_id,
    user_id: m.user_id,
  };
  const extra: KeyValue[] = [];
  let out: Partial<Span>;
  const nodeId = getString(span.attributes, 'dify.node.execution_id');
  if (m.workflow_run_id && nodeId) {
    const runId = m.workflow_run_id;
    extra.push(...nodeFacts(m.node_type), { key: 'opik.tags', value: ['node_execution'] });
    const prefix = m.node_type ? `${m.node_type}_` : '';
    out = {
      traceId: traceIdFor(runId),
      spanId: spanIdFor(`node:${nodeId}`),
      parentSpanId: spanIdFor(`workflow:${runId}`),
      name: prefix && span.name.startsWith(prefix) ? span.name.slice(prefix.length) : span.name,
    };
    dify.node_execution_id = nodeId;
    dify.node_type = m.node_type;
    extra.push(...promptAsInput(span));
  } else if (m.workflow_run_id && /^workflow/.test(span.name)) {
    const runId = m.workflow_run_id;
    out = {
      traceId: traceIdFor(runId),
      spanId: spanIdFor(`workflow:${runId}`),
      parentSpanId: '',
      name: 'workflow',
    };
    extra.push(
      { key: 'gen_ai.operation.name', value: 'invoke_workflow' },
      { key: 'opik.tags', value: ['workflow'] },
      { key: 'opik.trace.name', value: m.message_id ? 'message' : 'workflow' },
      { key: 'opik.trace.tags', value: m.message_id ? ['message', 'workflow'] : ['workflow'] },
    );
  } else if (m.message_id) {
    const id = m.message_id;
    const traceId = traceIdFor(id);
    if (span.name === 'message')
      out = { traceId, spanId: spanIdFor(`message:${id}`), parentSpanId: '' };
    else if (span.name === 'llm')
      out = { traceId, spanId: spanIdFor(`llm:${id}`), parentSpanId: spanIdFor(`message:${id}`) };
    else {
      // Moderation, suggested questions, retrieval, tools: under the message, seeded on their start.
      const seed = `${span.name}:${id}:${span.startTimeUnixNano}`;
      out = { traceId, spanId: spanIdFor(seed), parentSpanId: spanIdFor(`message:${id}`) };
    }
  } else return span;
  const set = [
    ...Object.entries(dify)
      .filter(([, v]) => v)
      .map(([k, v]) => ({ key: `dify.${k}`, value: v! })),
    ...extra,
  ];
  const replaced = new Set(set.map((kv) => kv.key));
  return {
    ...span,
    ...out,
    attributes: [...span.attributes.filter((kv) => !replaced.has(kv.key)), ...set],
  };
}
