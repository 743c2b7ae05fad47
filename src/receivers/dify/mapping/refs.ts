import { difyUuid7, spanIdFor, traceIdFor } from '../../../opik-ids/dify.js';
import type { ExternalTrace } from './external-trace.js';
import { type ParsedTime, pythonTimestampMs } from './time.js';

/** Where a span lives: its OTel trace, and its Opik trace when this envelope decides it. */
export interface TraceRef {
  readonly traceId: string;
  /**
   * Undefined in two cases (README, "Ids"): the trace is an external OTel trace, whose Opik id the
   * exporter derives with Opik's formula from the first timestamp it sees for that trace; or the
   * envelope lacks what Dify's id needs (node rows posted without their run's start).
   */
  readonly opikTraceId?: string;
}

/** A span others hang under: its OTel span id and, when known, its Opik span id. */
export interface SpanRef {
  readonly spanId: string;
  readonly opikSpanId?: string;
}

/** A trace and its root span, as every child of the trace computes them. */
export interface RootRef {
  readonly trace: TraceRef;
  readonly root: SpanRef;
}

/**
 * The Opik trace id of a trace anchored at `start` on `difyId`: Dify's
 * `uuid7(start, trace_id or difyId)`. None for an external OTel trace: Opik's id for it is
 * `uuid7(first start seen for the trace, SHA-256(trace id))`, and which start comes first (the
 * caller's spans or Dify's) only the exporter knows, so it derives the id (DESIGN §5).
 */
export function opikTraceId(
  start: ParsedTime,
  difyId: string,
  ext: ExternalTrace,
): string | undefined {
  if (ext.otelTraceId) return undefined;
  return difyUuid7(pythonTimestampMs(start), ext.uuid4 ?? difyId);
}

export interface RunAnchor {
  readonly runId: string;
  /** The run's start (`WorkflowTraceInfo.start_time`); unknown to node rows posted alone. */
  readonly start?: ParsedTime;
  /** A chatflow run's message: Dify keys the Opik trace and root span on it. */
  readonly messageId?: string;
  readonly ext: ExternalTrace;
}

/** The trace and root span of a workflow run (reference/dify.md §3, "Workflow"). */
export function runRoot(run: RunAnchor): RootRef {
  const traceId = run.ext.otelTraceId ?? traceIdFor(run.runId);
  const spanId = spanIdFor(`workflow:${run.runId}`);
  if (!run.start) return { trace: { traceId }, root: { spanId } };
  const ms = pythonTimestampMs(run.start);
  return {
    trace: { traceId, opikTraceId: opikTraceId(run.start, run.messageId ?? run.runId, run.ext) },
    root: {
      spanId,
      opikSpanId: run.messageId ? difyUuid7(ms, run.runId) : difyUuid7(ms, `${run.runId}-root`),
    },
  };
}

export interface MessageAnchor {
  readonly messageId: string;
  /** The message's `created_at` (= MessageTraceInfo.start_time). */
  readonly created?: ParsedTime;
  readonly ext: ExternalTrace;
}

/** The trace and root span of a chat, agent or completion message. */
export function messageRoot(msg: MessageAnchor): RootRef {
  const traceId = msg.ext.otelTraceId ?? traceIdFor(msg.messageId);
  const spanId = spanIdFor(`message:${msg.messageId}`);
  if (!msg.created) return { trace: { traceId }, root: { spanId } };
  return {
    trace: { traceId, opikTraceId: opikTraceId(msg.created, msg.messageId, msg.ext) },
    root: {
      spanId,
      opikSpanId: difyUuid7(pythonTimestampMs(msg.created), `${msg.messageId}-root`),
    },
  };
}
