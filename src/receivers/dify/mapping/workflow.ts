import { spanIdFor, traceIdFor } from '../../../opik-ids/dify.js';
import { type Span, SpanKind, type SpanLink } from '../../../pdata/traces.js';
import {
  type EnvelopeContext,
  errorText,
  externalOf,
  metadataOf,
  metaStr,
  timingOf,
  withExtras,
} from './envelope.js';
import type { ExternalTrace } from './external-trace.js';
import { nodeSpans } from './node-execution.js';
import { isObject, type JsonObject, type Reader } from './reader.js';
import { type RootRef, runRoot } from './refs.js';
import { buildSpan } from './span-builder.js';

/**
 * WorkflowTraceInfo: a root span `workflow` for the run, and one child per node execution when
 * the envelope carries `node_executions`. A chatflow run (one with a `message_id`) is the Opik
 * trace `message`, as Dify's own Opik integration names it.
 */
export function* workflowSpans(ctx: EnvelopeContext): Generator<void, Span[], undefined> {
  const { info } = ctx;
  const runId = info.str('workflow_run_id');
  const messageId = info.optStr('message_id') || undefined;
  const timing = timingOf(info, info.optNum('workflow_run_elapsed_time'));
  const ext = externalOf(info);
  const run = runRoot({ runId, start: timing.start, messageId, ext });
  const root = runSpan(ctx, { runId, messageId, ext, run, ...timing });
  const rows = ctx.envelope.optArray('node_executions') ?? [];
  return yield* nodeSpans(rows, ctx.envelope.at('node_executions'), { runId, ...run }, [root]);
}

interface RunFacts extends ReturnType<typeof timingOf> {
  readonly runId: string;
  readonly messageId?: string;
  readonly ext: ExternalTrace;
  readonly run: RootRef;
}

function runSpan(ctx: EnvelopeContext, f: RunFacts): Span {
  const { info } = ctx;
  const meta = metadataOf(info);
  const status = info.optStr('workflow_run_status') ?? metaStr(meta, 'status');
  const error = errorText(info) ?? (status === 'failed' ? 'workflow run failed' : undefined);
  const conversationId = info.optStr('conversation_id') ?? metaStr(meta, 'conversation_id');
  return buildSpan({
    name: 'workflow',
    kind: SpanKind.INTERNAL,
    trace: f.run.trace,
    spanId: f.run.root.spanId,
    opikSpanId: f.run.root.opikSpanId,
    start: f.start,
    end: f.end,
    genAi: {
      operation: 'invoke_workflow',
      inputTokens: info.optNum('prompt_tokens'),
      outputTokens: info.optNum('completion_tokens'),
      totalTokens: info.optNum('total_tokens'),
      conversationId,
    },
    input: info.raw('workflow_run_inputs'),
    output: info.raw('workflow_run_outputs'),
    tags: ['workflow'],
    traceName: f.messageId ? 'message' : undefined,
    traceTags: f.messageId ? ['message', 'workflow'] : undefined,
    metadata: withExtras(meta, {
      message_id: f.messageId,
      workflow_app_log_id: info.optStr('workflow_app_log_id'),
      invoked_by: info.optStr('invoked_by'),
      external_trace_id: f.ext.raw,
      ...runFacts(info.optObj('workflow_data')),
    }),
    dify: {
      app_id: metaStr(meta, 'app_id') ?? ctx.appId,
      tenant_id: info.optStr('tenant_id') ?? metaStr(meta, 'tenant_id'),
      workflow_id: info.optStr('workflow_id') ?? metaStr(meta, 'workflow_id'),
      workflow_run_id: f.runId,
      message_id: f.messageId,
      conversation_id: conversationId,
      user_id: metaStr(meta, 'user_id'),
    },
    error: error ? { type: 'WorkflowRunError', message: error } : undefined,
    links: parentLinks(meta, f.ext.otelTraceId),
  });
}

/** The few `workflow_data` facts worth keeping (the rest repeats the envelope or is the graph). */
function runFacts(workflowData: Reader | undefined): JsonObject {
  if (!workflowData) return {};
  const { type, total_steps, exceptions_count, created_by_role } = workflowData.obj;
  return { workflow_type: type, total_steps, exceptions_count, created_by_role };
}

/**
 * A nested run (`metadata.parent_trace_context`) links to the node that called it. A link, not a
 * parent: Opik ids of the parent run cannot be computed from this envelope (README, "Limits").
 */
function parentLinks(meta: JsonObject, externalTraceId: string | undefined): SpanLink[] {
  const ctx = meta.parent_trace_context;
  if (!isObject(ctx)) return [];
  const runId = ctx.parent_workflow_run_id;
  const nodeId = ctx.parent_node_execution_id;
  if (typeof runId !== 'string' || typeof nodeId !== 'string' || !runId || !nodeId) return [];
  return [
    {
      traceId: externalTraceId ?? traceIdFor(runId),
      spanId: spanIdFor(`node:${nodeId}`),
      traceState: '',
      attributes: [{ key: 'dify.link.type', value: 'parent_workflow' }],
      droppedAttributesCount: 0,
      flags: 0,
    },
  ];
}
