import type { Span } from '../../../pdata/traces.js';
import { convertItem } from '../../../receivers/dify/mapping/convert.js';
import type { MessageAnchor, RunAnchor } from './anchors.js';
import type {
  LlmFragment,
  MessageFragment,
  NodeFragment,
  RunFragment,
  ScopedFragment,
  StandaloneFragment,
} from './fragments.js';
import type { Json } from './span-reader.js';

/**
 * Puts the pieces the providers sent back together into Dify's trace envelopes and maps them
 * with the `dify` receiver's own mapping (`convertItem`): the same facts give the same spans,
 * names, ids and Opik ids on every path. Undefined when the mapping rejects what the pieces say
 * (the caller then passes the provider's spans on as they are).
 */

/** Envelopes need an `app_id`; where the provider sent none this stands in, and is removed. */
const NO_APP = '-';

/**
 * A run with the nodes that go with it. The node spans are the last `nodes.length` of the
 * result, in the order of `nodes`.
 */
export function runEnvelope(
  run: RunFragment,
  anchor: RunAnchor,
  nodes: readonly NodeFragment[],
): Span[] | undefined {
  const info = {
    ...run.info,
    message_id: anchor.messageId ?? null,
    trace_id: anchor.traceId ?? null,
  };
  const spans = convert({
    app_id: anchor.appId ?? NO_APP,
    trace_info_type: 'WorkflowTraceInfo',
    trace_info: info,
    node_executions: rowsOf(nodes, anchor),
  });
  return spans && fixNodes(anchor.unnamedChatflow ? asChatflow(spans) : spans, nodes);
}

/** Nodes of a run whose own span went on before them: a node-executions document (same order). */
export function nodesDocument(
  anchor: RunAnchor | { runId: string },
  nodes: readonly NodeFragment[],
): Span[] | undefined {
  const a = anchor as Partial<RunAnchor>;
  const spans = convert({
    workflow_run_id: anchor.runId,
    start_time: a.start,
    message_id: a.messageId,
    trace_id: a.traceId,
    rows: rowsOf(nodes, a),
  });
  return spans && fixNodes(spans, nodes);
}

/** A node belongs to its run's app, tenant and workflow, which a node span may not repeat. */
function rowsOf(nodes: readonly NodeFragment[], run: Partial<RunAnchor>): Json[] {
  const owner: Json = { app_id: run.appId, tenant_id: run.tenantId, workflow_id: run.workflowId };
  return nodes.map((n) => {
    const row = { ...n.row };
    for (const [k, v] of Object.entries(owner)) if (row[k] == null && v !== undefined) row[k] = v;
    return row;
  });
}

export function messageEnvelope(message: MessageFragment, llm?: LlmFragment): Span[] | undefined {
  const info: Json = { ...message.info, ...llm?.info };
  if (llm?.metadata)
    info.metadata = { ...(message.info.metadata as Json), ...definedOnly(llm.metadata) };
  return convert({
    app_id: message.appId ?? NO_APP,
    trace_info_type: 'MessageTraceInfo',
    trace_info: info,
  });
}

/** A message-scoped envelope; its message's facts when the message was seen. */
export function scopedEnvelope(f: ScopedFragment, message?: MessageAnchor): Span[] | undefined {
  const data: Json = { id: f.messageId };
  if (message) {
    data.created_at = message.created;
    data.conversation_id = message.conversationId ?? null;
    data.workflow_run_id = message.runId ?? null;
    data.app_id = message.appId ?? null;
  }
  return convert({
    app_id: message?.appId ?? NO_APP,
    trace_info_type: f.type,
    trace_info: { ...f.info, message_data: data },
  });
}

export function standaloneEnvelope(f: StandaloneFragment): Span[] | undefined {
  return convert({ app_id: f.appId ?? NO_APP, trace_info_type: f.type, trace_info: f.info });
}

function convert(item: Json): Span[] | undefined {
  const result = convertItem(item);
  if (result.outcome !== 'spans') return undefined;
  return result.spans.map((s) =>
    s.attributes.some((kv) => kv.key === 'dify.app_id' && kv.value === NO_APP)
      ? {
          ...s,
          attributes: s.attributes.filter(
            (kv) => !(kv.key === 'dify.app_id' && kv.value === NO_APP),
          ),
        }
      : s,
  );
}

function definedOnly(o: Json): Json {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** Node ids and types a provider did not send are not Dify's: they leave no `dify.*` attribute. */
function fixNodes(spans: Span[], nodes: readonly NodeFragment[]): Span[] {
  const madeUp = new Set(nodes.filter((n) => n.madeUpId).map((n) => n.row.id));
  if (madeUp.size === 0 && nodes.every((n) => n.row.node_type)) return spans;
  return spans.map((s) => {
    const attributes = s.attributes.filter(
      (kv) =>
        !(kv.key === 'dify.node_execution_id' && madeUp.has(kv.value as string)) &&
        !(kv.key === 'dify.node_type' && kv.value === 'unknown'),
    );
    return attributes.length === s.attributes.length ? s : { ...s, attributes };
  });
}

/** A chatflow run without its message id: still the Opik trace `message`, as Dify names it. */
function asChatflow(spans: Span[]): Span[] {
  return spans.map((s) =>
    s.parentSpanId === ''
      ? {
          ...s,
          attributes: [
            ...s.attributes,
            { key: 'opik.trace.name', value: 'message' },
            { key: 'opik.trace.tags', value: ['message', 'workflow'] },
          ],
        }
      : s,
  );
}
