import type { SpanInContext } from '../../../pdata/map-spans.js';
import type { Span } from '../../../pdata/traces.js';
import type { RunAnchor } from './anchors.js';
import type { ChatflowFragment, Fragment } from './fragments.js';

/** A span of Dify's providers with what it says about Dify's entities. */
export interface DifySpan {
  readonly ctx: SpanInContext;
  readonly fragment: Fragment;
}

/** A span waiting in the hold, with its estimated size. */
export interface Held extends DifySpan {
  readonly bytes: number;
  /** Its record in the hold's store, once written there (`storage` set). */
  key?: string;
}

/** Rebuilt ids of a span that provider spans without an envelope counterpart hang under. */
export interface Rebuilt {
  readonly traceId: string;
  readonly spanId: string;
  readonly opikTraceId?: string;
  readonly opikSpanId?: string;
}

/** Everything seen of one OTel trace while its deadline runs. */
export class Group {
  pending: Held[] = [];
  /** What the parent links take (kept until the deadline). */
  linkBytes = 0;
  /** Parent of every span seen (dropped ones too: a chain to the run passes through them). */
  readonly parents = new Map<string, string>();
  /** Span id of each run's own span → the run's anchor. */
  readonly runs = new Map<string, RunAnchor>();
  readonly chatflows = new Map<string, ChatflowFragment>();
  /** Provider span id → its rebuilt ids (Aliyun's agent nodes and ReAct steps). */
  readonly rebuilt = new Map<string, Rebuilt>();
  /** The run a legacy synthetic root names, for node spans whose run never comes. */
  runHint?: string;
  /** Message ids this group's scoped spans wait for. */
  readonly awaited = new Set<string>();

  constructor(
    readonly traceId: string,
    readonly deadline: number,
  ) {}

  /** What a store keeps of the group besides its spans and deadline (JSON). */
  state(): string {
    return JSON.stringify({
      parents: [...this.parents],
      runs: [...this.runs],
      chatflows: [...this.chatflows],
      rebuilt: [...this.rebuilt],
      runHint: this.runHint,
    });
  }

  /** A group kept over a restart, from its `state()`. */
  static restore(traceId: string, deadline: number, state: string): Group {
    const s = JSON.parse(state) as {
      parents: Array<[string, string]>;
      runs: Array<[string, RunAnchor]>;
      chatflows: Array<[string, ChatflowFragment]>;
      rebuilt: Array<[string, Rebuilt]>;
      runHint?: string;
    };
    const g = new Group(traceId, deadline);
    for (const [k, v] of s.parents) g.parents.set(k, v);
    for (const [k, v] of s.runs) g.runs.set(k, v);
    for (const [k, v] of s.chatflows) g.chatflows.set(k, v);
    for (const [k, v] of s.rebuilt) g.rebuilt.set(k, v);
    g.runHint = s.runHint;
    return g;
  }

  /** The run a span belongs to: the nearest run span up its parent chain. */
  runOf(span: Span): RunAnchor | undefined {
    let id = span.parentSpanId;
    for (let i = 0; i < 64 && id !== ''; i++) {
      const run = this.runs.get(id);
      if (run) return run;
      const next = this.parents.get(id);
      if (next === undefined) return undefined;
      id = next;
    }
    return undefined;
  }
}
