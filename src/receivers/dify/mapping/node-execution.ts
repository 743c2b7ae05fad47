import { difyUuid7, spanIdFor } from '../../../opik-ids/dify.js';
import type { Span } from '../../../pdata/traces.js';
import { withExtras } from './envelope.js';
import { field, type NodeColumns, nodeKind } from './node-kind.js';
import { ItemError, isObject, Reader } from './reader.js';
import type { RootRef } from './refs.js';
import { buildSpan } from './span-builder.js';
import { pythonTimestampMs, secondsToNs } from './time.js';
import { JsonColumn } from './values.js';

/** The run a node execution belongs to: the trace and root span its span hangs under. */
export interface NodeRun extends RootRef {
  readonly runId: string;
}

/** Node statuses that mean the node did not do its job (`exception`: failed, handled by an error strategy). */
const FAILED = new Set(['failed', 'exception']);

/**
 * One span per `workflow_node_executions` row, all children of the run's root span (as Dify's),
 * pushed to `out`; yields after each, so a run with thousands of nodes is mapped in slices.
 */
export function* nodeSpans(
  rows: readonly unknown[],
  path: string,
  run: NodeRun,
  out: Span[],
): Generator<void, Span[], undefined> {
  for (let i = 0; i < rows.length; i++) {
    out.push(nodeSpan(Reader.of(rows[i], `${path}[${i}]`), run));
    yield;
  }
  return out;
}

function nodeSpan(row: Reader, run: NodeRun): Span {
  const id = row.optStr('id') || row.str('node_execution_id');
  const rowRun = row.optStr('workflow_run_id');
  if (rowRun && rowRun !== run.runId) {
    throw new ItemError(row.at('workflow_run_id'), `is ${rowRun}, not this run's ${run.runId}`);
  }
  const created = row.time('created_at');
  const end =
    row.optTime('finished_at')?.ns ?? created.ns + secondsToNs(row.optNum('elapsed_time') ?? 0);
  const columns = readColumns(row);
  const { kind, genAi, input } = nodeKind(columns);
  const status = row.optStr('status');
  return buildSpan({
    name: columns.title,
    kind,
    trace: run.trace,
    spanId: spanIdFor(`node:${id}`),
    opikSpanId: difyUuid7(pythonTimestampMs(created), id),
    parent: run.root,
    start: created,
    end,
    genAi,
    input: input ?? columns.inputs,
    output: columns.outputs,
    tags: ['node_execution'],
    metadata: withExtras(columns.executionMetadata, {
      node_id: row.optStr('node_id'),
      index: row.optNum('index'),
      predecessor_node_id: row.optStr('predecessor_node_id'),
      status,
      elapsed_time: row.optNum('elapsed_time'),
      finish_reason: field(columns.processData.value, 'finish_reason'),
      triggered_from: row.optStr('triggered_from'),
      created_by_role: row.optStr('created_by_role'),
    }),
    dify: {
      app_id: row.optStr('app_id'),
      tenant_id: row.optStr('tenant_id'),
      workflow_id: row.optStr('workflow_id'),
      workflow_run_id: run.runId,
      node_execution_id: id,
      node_type: columns.nodeType,
    },
    error: nodeError(row, status, columns.outputs),
  });
}

function readColumns(row: Reader): NodeColumns {
  const nodeType = row.optStr('node_type') || 'unknown';
  const meta = new JsonColumn(row, 'execution_metadata').value;
  if (meta !== undefined && !isObject(meta)) row.fail('execution_metadata', 'a JSON object');
  return {
    nodeType,
    title: row.optStr('title') || nodeType,
    inputs: new JsonColumn(row, 'inputs'),
    processData: new JsonColumn(row, 'process_data'),
    outputs: new JsonColumn(row, 'outputs'),
    executionMetadata: meta ?? {},
  };
}

/** A failed node (Dify's own Opik integration drops this; we keep it). */
function nodeError(row: Reader, status: string | undefined, outputs: JsonColumn) {
  const text = row.optStr('error')?.trim() || undefined;
  if (!text && !FAILED.has(status ?? '')) return undefined;
  const handled = field(outputs.value, 'error_message');
  const type = field(outputs.value, 'error_type');
  return {
    type: typeof type === 'string' && type ? type : 'NodeExecutionError',
    message: text ?? (typeof handled === 'string' && handled ? handled : `node ${status}`),
  };
}
