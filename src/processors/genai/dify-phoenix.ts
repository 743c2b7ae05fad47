import { getString } from '../../pdata/attributes.js';
import type { SpanInContext } from '../../pdata/map-spans.js';
import type { KeyValue, Span } from '../../pdata/traces.js';
import { spanIdFor, traceIdFor } from '../../receivers/dify/mapping/ids.js';
import { difyUuid7 } from '../../receivers/dify/mapping/opik-ids.js';
import { messageRoot, runRoot } from '../../receivers/dify/mapping/refs.js';
import { pythonTimestampMs } from '../../receivers/dify/mapping/time.js';

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
 * Gives a Dify Phoenix span the ids the `dify` envelope receiver gives the same entity, rebuilt
 * from the Dify ids in its metadata, so re-sending gives the same ids and the spans of one run or
 * message meet in one trace whatever order they arrive in (Dify's SimpleSpanProcessor sends one
 * span per request, children first). Node spans hang directly under their run, as the receiver
 * puts them. Opik ids that need a time this span does not carry (a node's run start) are left
 * to the `opik` exporter, which takes them from the run's span when it sees it.
 */
export function rebuildDifyIds(span: Span): Span {
  const m = meta(span);
  const start = { ns: span.startTimeUnixNano, aware: false };
  const ms = pythonTimestampMs(start);
  const ids: KeyValue[] = [];
  const dify: Record<string, string | undefined> = {
    app_id: m.app_id,
    tenant_id: m.tenant_id,
    workflow_run_id: m.workflow_run_id,
    message_id: m.message_id,
    conversation_id: m.conversation_id,
    user_id: m.user_id,
  };
  let out: Partial<Span> = {};
  const nodeId = getString(span.attributes, 'dify.node.execution_id');
  if (m.workflow_run_id && nodeId) {
    const runId = m.workflow_run_id;
    out = {
      traceId: traceIdFor(runId),
      spanId: spanIdFor(`node:${nodeId}`),
      parentSpanId: spanIdFor(`workflow:${runId}`),
      name:
        m.node_type && span.name.startsWith(`${m.node_type}_`)
          ? span.name.slice(m.node_type.length + 1)
          : span.name,
    };
    ids.push({ key: 'opik.span_id', value: difyUuid7(ms, nodeId) });
    dify.node_execution_id = nodeId;
  } else if (m.workflow_run_id && /^workflow/.test(span.name)) {
    const root = runRoot({ runId: m.workflow_run_id, start, messageId: m.message_id, ext: {} });
    out = {
      traceId: root.trace.traceId,
      spanId: root.root.spanId,
      parentSpanId: '',
      name: 'workflow',
    };
    ids.push(
      { key: 'opik.trace_id', value: root.trace.opikTraceId! },
      { key: 'opik.span_id', value: root.root.opikSpanId! },
    );
    ids.push({ key: 'opik.trace.name', value: m.message_id ? 'message' : 'workflow' });
  } else if (m.message_id) {
    const root = messageRoot({ messageId: m.message_id, created: start, ext: {} });
    const traceId = root.trace.traceId;
    if (span.name === 'message') {
      out = { traceId, spanId: root.root.spanId, parentSpanId: '' };
      ids.push(
        { key: 'opik.trace_id', value: root.trace.opikTraceId! },
        { key: 'opik.span_id', value: root.root.opikSpanId! },
      );
    } else if (span.name === 'llm') {
      const seed = `llm:${m.message_id}`;
      out = { traceId, spanId: spanIdFor(seed), parentSpanId: root.root.spanId };
      ids.push(
        { key: 'opik.trace_id', value: root.trace.opikTraceId! },
        { key: 'opik.span_id', value: difyUuid7(ms, seed) },
        { key: 'opik.parent_span_id', value: root.root.opikSpanId! },
      );
    } else {
      // Moderation, suggested questions, retrieval, tools: under the message, seeded on their start.
      const seed = `${span.name}:${m.message_id}:${span.startTimeUnixNano}`;
      out = {
        traceId,
        spanId: spanIdFor(seed),
        parentSpanId: spanIdFor(`message:${m.message_id}`),
      };
    }
  } else return span;
  const set = [
    ...Object.entries(dify)
      .filter(([, v]) => v)
      .map(([k, v]) => ({ key: `dify.${k}`, value: v! })),
    ...ids,
  ];
  const replaced = new Set(set.map((kv) => kv.key));
  return {
    ...span,
    ...out,
    attributes: [...span.attributes.filter((kv) => !replaced.has(kv.key)), ...set],
  };
}
