import type { Json } from './span-reader.js';

/**
 * What one span of Dify's Phoenix or Aliyun provider says about Dify's own entities: a piece
 * of a trace envelope (`TaskData`, reference/dify.md §2) or of a node row. The hold collects
 * the pieces of one run or message; `envelopes.ts` puts them together and hands them to the
 * `dify` receiver's mapping, so every path makes the same spans from the same facts.
 */
export type Fragment =
  | RunFragment
  | ChatflowFragment
  | NodeFragment
  | MessageFragment
  | LlmFragment
  | ScopedFragment
  | StandaloneFragment
  | HelperFragment
  | ExtraFragment;

/** A workflow run's own span: `WorkflowTraceInfo` without its node rows. */
export interface RunFragment {
  readonly kind: 'run';
  readonly runId: string;
  readonly appId?: string;
  readonly info: Json;
  /**
   * Whether the run belongs to a chatflow message: `known` from the span itself (its message id
   * is in `info.message_id`, or it has none); `parent` when only the parent span tells (the
   * unified dialect's `chatflow_<run>` root); `unnamed` for a chatflow whose message id the
   * provider does not send (Aliyun).
   */
  readonly chatflow: 'known' | 'parent' | 'unnamed';
}

/** The span above a chatflow's run: the unified `chatflow_<run>` root, Aliyun's `message`. */
export interface ChatflowFragment {
  readonly kind: 'chatflow';
  readonly runId: string;
  readonly messageId?: string;
  readonly appId?: string;
}

/** A `workflow_node_executions` row. */
export interface NodeFragment {
  readonly kind: 'node';
  readonly row: Json;
  /** The row's id is made up from the span (Aliyun sends no node execution id). */
  readonly madeUpId?: boolean;
  /** The run, when the span names it (Aliyun's trace id is the run's id) though not its parent. */
  readonly runId?: string;
}

/** A chat, agent or completion message: `MessageTraceInfo`. */
export interface MessageFragment {
  readonly kind: 'message';
  readonly messageId: string;
  readonly appId?: string;
  readonly info: Json;
  /** The model call's span carries facts the message's lacks (the prompt, or the tokens). */
  readonly awaitsLlm: boolean;
}

/** The message's model call, completing its `MessageTraceInfo`. */
export interface LlmFragment {
  readonly kind: 'llm';
  readonly messageId: string;
  readonly info: Json;
  readonly metadata?: Json;
}

/** Moderation, suggested questions, retrieval, an agent tool: one envelope under a message. */
export interface ScopedFragment {
  readonly kind: 'scoped';
  readonly type: string;
  readonly messageId: string;
  readonly info: Json;
}

/** An envelope that needs nothing else (conversation naming). */
export interface StandaloneFragment {
  readonly kind: 'standalone';
  readonly type: string;
  readonly appId?: string;
  readonly info: Json;
}

/** Dify's bookkeeping: `api_check`, a synthetic root (naming its run), a loop/iteration wrapper. */
export interface HelperFragment {
  readonly kind: 'helper';
  readonly runId?: string;
}

/** A span with no envelope counterpart (Aliyun's ReAct steps under an agent node). */
export interface ExtraFragment {
  readonly kind: 'extra';
}
