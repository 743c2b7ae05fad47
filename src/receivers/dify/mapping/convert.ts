import { describe } from '../../../config/schema.js';
import type { Span } from '../../../pdata/traces.js';
import { unpaced } from '../../../pipeline/pacer.js';
import { datasetRetrievalSpans } from './dataset-retrieval.js';
import type { Mapper } from './envelope.js';
import { externalTrace } from './external-trace.js';
import { generateNameSpans } from './generate-name.js';
import { messageSpans } from './message.js';
import { moderationSpans } from './moderation.js';
import { nodeSpans } from './node-execution.js';
import { ItemError, isObject, Reader } from './reader.js';
import { runRoot } from './refs.js';
import { suggestedQuestionSpans } from './suggested-question.js';
import { toolSpans } from './tool.js';
import { workflowSpans } from './workflow.js';

/** The trace types Community Dify emits, each with its mapper (DESIGN §4). */
const MAPPERS: Readonly<Record<string, Mapper>> = {
  WorkflowTraceInfo: workflowSpans,
  MessageTraceInfo: messageSpans,
  ModerationTraceInfo: moderationSpans,
  SuggestedQuestionTraceInfo: suggestedQuestionSpans,
  DatasetRetrievalTraceInfo: datasetRetrievalSpans,
  ToolTraceInfo: toolSpans,
  GenerateNameTraceInfo: generateNameSpans,
};

/** What became of one item of a request. */
export type ItemResult =
  | { readonly outcome: 'spans'; readonly spans: Span[] }
  | { readonly outcome: 'skipped'; readonly traceInfoType: string }
  | { readonly outcome: 'rejected'; readonly message: string };

/**
 * Converts one item: a Dify envelope `{app_id, trace_info_type, trace_info[, node_executions]}`
 * or a node-executions document `{workflow_run_id, rows, ...}`. Types without a mapper
 * (`dict`, `NoneType`, enterprise-only types) are skipped; a bad item is rejected with the key
 * path of its first problem. Pure: the same item always gives the same result.
 */
export function convertItem(item: unknown): ItemResult {
  return unpaced(convertItemSteps(item));
}

/**
 * `convertItem` in steps: yields between node spans, so a run with thousands of nodes does not
 * hold the event loop. Whatever goes wrong with one item is that item's problem, never the
 * request's: a value no mapping foresaw (a number too large for an integer) rejects the item.
 */
export function* convertItemSteps(item: unknown): Generator<void, ItemResult, undefined> {
  try {
    if (!isObject(item)) {
      throw new ItemError(
        '',
        `expected an object (a Dify envelope or a node-executions document), got ${describe(item)}`,
      );
    }
    const reader = new Reader(item, '');
    if ('trace_info_type' in item) return yield* convertEnvelope(reader);
    if ('rows' in item) return { outcome: 'spans', spans: yield* nodeDocumentSpans(reader) };
    throw new ItemError(
      '',
      'expected a Dify envelope (with trace_info_type) or a node-executions document (with rows)',
    );
  } catch (err) {
    if (err instanceof ItemError) return { outcome: 'rejected', message: err.message };
    return { outcome: 'rejected', message: `cannot be converted: ${(err as Error).message}` };
  }
}

function* convertEnvelope(envelope: Reader): Generator<void, ItemResult, undefined> {
  const type = envelope.str('trace_info_type');
  const mapper = MAPPERS[type];
  if (!mapper) return { outcome: 'skipped', traceInfoType: type };
  if (type !== 'WorkflowTraceInfo' && envelope.raw('node_executions') !== undefined) {
    throw new ItemError(
      'node_executions',
      'only a WorkflowTraceInfo envelope carries node executions',
    );
  }
  const appId = envelope.str('app_id');
  const info = Reader.of(envelope.obj.trace_info, 'trace_info');
  const mapped = mapper({ appId, info, envelope });
  return { outcome: 'spans', spans: Array.isArray(mapped) ? mapped : yield* mapped };
}

/**
 * Node rows posted apart from their run. The run's OTel trace and root span follow from
 * `workflow_run_id` alone; Opik's ids also need the run's `start_time` (and a chatflow's
 * `message_id`, and the run's `trace_id` if it had one), which the document may carry.
 */
function* nodeDocumentSpans(doc: Reader): Generator<void, Span[], undefined> {
  const runId = doc.str('workflow_run_id');
  const rows = doc.raw('rows');
  if (!Array.isArray(rows)) doc.fail('rows', 'a list of workflow_node_executions rows');
  const run = runRoot({
    runId,
    start: doc.optTime('start_time'),
    messageId: doc.optStr('message_id') || undefined,
    ext: externalTrace(doc.optStr('trace_id')),
  });
  return yield* nodeSpans(rows, 'rows', { runId, ...run }, []);
}
