import type { Json } from './values.js';

/** Opik's `ErrorInfo`: what failed in a span or trace. */
export interface OpikErrorInfo {
  readonly exception_type: string;
  readonly message?: string;
  readonly traceback: string;
}

export type OpikSpanType = 'general' | 'tool' | 'llm' | 'guardrail';

/** Where Opik says an item came from; the exporter's own items are `sdk`. */
export type OpikSource = 'sdk' | 'experiment' | 'playground' | 'optimization' | 'evaluator';

/** A span as Opik stores it, and as `POST /v1/private/spans/batch` writes it (`Span_Write`). */
export interface OpikSpan {
  readonly id: string;
  readonly trace_id: string;
  readonly parent_span_id?: string;
  readonly project_name: string;
  readonly name: string;
  readonly type: OpikSpanType;
  /** ISO-8601 with milliseconds. */
  readonly start_time: string;
  /** Always set on the exporter's own spans; an Opik span received as such may have none. */
  readonly end_time?: string;
  readonly input?: Json;
  readonly output?: Json;
  readonly metadata?: { [key: string]: Json };
  readonly tags?: readonly string[];
  readonly usage?: { [key: string]: number };
  readonly model?: string;
  readonly provider?: string;
  readonly total_estimated_cost?: number;
  readonly error_info?: OpikErrorInfo;
  /** Always `sdk` on the exporter's own spans; as received (or absent) on received ones. */
  readonly source?: OpikSource;
  /**
   * The epoch on spans written under a stand-in trace, so that any later write wins; as received
   * on received ones.
   */
  readonly last_updated_at?: string;
  /** The fields below are set only on Opik spans received as such (the `opik` receiver). */
  readonly total_estimated_cost_version?: string;
  readonly ttft?: number;
  readonly environment?: string;
}

/** A trace as `POST /v1/private/traces/batch` writes it (`Trace_Write`). */
export interface OpikTrace {
  readonly id: string;
  readonly project_name: string;
  readonly name: string;
  readonly start_time: string;
  readonly end_time?: string;
  readonly input?: Json;
  readonly output?: Json;
  readonly metadata?: { [key: string]: Json };
  readonly tags?: readonly string[];
  readonly error_info?: OpikErrorInfo;
  readonly thread_id?: string;
  readonly source?: OpikSource;
  /** The epoch on placeholder rows, so that the real row always wins the upsert; as received on received traces. */
  readonly last_updated_at?: string;
  /** Set only on Opik traces received as such (the `opik` receiver). */
  readonly ttft?: number;
  readonly environment?: string;
}
