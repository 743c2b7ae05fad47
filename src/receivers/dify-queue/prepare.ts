import type { Traces } from '../../pdata/traces.js';
import { convertBatch } from '../dify/batch.js';
import type { DifyStorage } from './dify-storage.js';
import type { NodeRows, RunRows } from './node-rows.js';
import { parseTaskMessage, type TraceTask } from './task-message.js';

/** Why a message is set aside instead of processed. */
export type SetAsideReason =
  | 'not_a_task_message'
  | 'other_task'
  | 'file_missing'
  | 'file_unreadable'
  | 'not_an_envelope'
  | 'rejected_envelope'
  | 'pipeline_refused';

/** What one message of the queue turned into. */
export type Prepared =
  | {
      readonly kind: 'spans';
      readonly task: TraceTask;
      readonly traceInfoType: string;
      readonly traces: Traces;
      readonly spanCount: number;
      readonly run?: RunRows;
    }
  | { readonly kind: 'skipped'; readonly task: TraceTask; readonly traceInfoType: string }
  | {
      readonly kind: 'set_aside';
      readonly reason: SetAsideReason;
      readonly detail: string;
      readonly task?: TraceTask;
      readonly traceInfoType?: string;
    }
  /** A message left by a crash whose envelope was already handled and deleted: only finish it. */
  | { readonly kind: 'done_before'; readonly task: TraceTask };

/**
 * Turns a queue message into spans: the task's envelope file from storage, for a workflow run
 * its node rows from the database, then the `dify` receiver's own mapping, exactly as if the
 * envelope with its `node_executions` had been posted to it. Throws an `Outage` when storage or
 * the database cannot be used right now.
 */
export async function prepareMessage(
  raw: string,
  recovered: boolean,
  storage: DifyStorage,
  nodeRows: NodeRows,
): Promise<Prepared> {
  const parsed = parseTaskMessage(raw);
  if (!parsed.ok) return { kind: 'set_aside', reason: parsed.reason, detail: parsed.detail };
  const { task } = parsed;
  const text = await storage.readEnvelope(task);
  if (typeof text !== 'string') {
    if (recovered && text.reason === 'file_missing') return { kind: 'done_before', task };
    return { kind: 'set_aside', reason: text.reason, detail: text.detail, task };
  }
  let envelope: unknown;
  try {
    envelope = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the file, and the file may hold prompts.
    return notEnvelope(task, `the file is not JSON (${text.length} characters)`);
  }
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) {
    return notEnvelope(task, 'the file is not a JSON object');
  }
  const item = envelope as Record<string, unknown>;
  const traceInfoType = item.trace_info_type;
  if (typeof traceInfoType !== 'string')
    return notEnvelope(task, 'the file has no trace_info_type');
  const run = await workflowRows(item, nodeRows);
  const batch = convertBatch([{ value: run ? { ...item, node_executions: run.rows } : item }]);
  if (batch.problems.length > 0) {
    return {
      kind: 'set_aside',
      reason: 'rejected_envelope',
      detail: batch.problems[0]!.message,
      task,
      traceInfoType,
    };
  }
  if (batch.skippedItems > 0 || batch.spanCount === 0) {
    return { kind: 'skipped', task, traceInfoType };
  }
  return {
    kind: 'spans',
    task,
    traceInfoType,
    traces: batch.traces,
    spanCount: batch.spanCount,
    run,
  };
}

/** A WorkflowTraceInfo's node rows, read as Dify's tracers read them; undefined for other types. */
async function workflowRows(
  envelope: Record<string, unknown>,
  nodeRows: NodeRows,
): Promise<RunRows | undefined> {
  if (envelope.trace_info_type !== 'WorkflowTraceInfo') return undefined;
  const info = envelope.trace_info as Record<string, unknown> | null;
  if (typeof info?.workflow_run_id !== 'string' || typeof info.tenant_id !== 'string') {
    return undefined;
  }
  const metadata = info.metadata as Record<string, unknown> | null | undefined;
  const appId = typeof metadata?.app_id === 'string' ? metadata.app_id : undefined;
  return nodeRows.forRun({
    workflowRunId: info.workflow_run_id,
    tenantId: info.tenant_id,
    appId,
  });
}

function notEnvelope(task: TraceTask, detail: string): Prepared {
  return { kind: 'set_aside', reason: 'not_an_envelope', detail, task };
}
