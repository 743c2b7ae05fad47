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

/** A map that tells `mark` the key of every entry set (prefixed), for a store. */
class Facts<V> extends Map<string, V> {
  constructor(
    private readonly prefix: string,
    private readonly mark?: (fact: string) => void,
  ) {
    super();
  }

  override set(key: string, value: V): this {
    super.set(key, value);
    this.mark?.(this.prefix + key);
    return this;
  }
}

/** Everything seen of one OTel trace while its deadline runs. */
export class Group {
  pending: Held[] = [];
  /** What the parent links take (kept until the deadline). */
  linkBytes = 0;
  /**
   * The facts below set since a store last took them (`durable` only): `p:<span>`, `r:<span>`,
   * `c:<span>`, `b:<span>`, `h`. Entries are only ever added, so a store adds them one by one.
   */
  readonly changed?: Set<string>;
  /** Whether a store holds the group (a new one replaces what a store kept of an old one). */
  stored = false;
  /** Parent of every span seen (dropped ones too: a chain to the run passes through them). */
  readonly parents: Map<string, string>;
  /** Span id of each run's own span → the run's anchor. */
  readonly runs: Map<string, RunAnchor>;
  readonly chatflows: Map<string, ChatflowFragment>;
  /** Provider span id → its rebuilt ids (Aliyun's agent nodes and ReAct steps). */
  readonly rebuilt: Map<string, Rebuilt>;
  private hint?: string;
  /** Message ids this group's scoped spans wait for. */
  readonly awaited = new Set<string>();

  constructor(
    readonly traceId: string,
    readonly deadline: number,
    durable = false,
  ) {
    const changed = durable ? new Set<string>() : undefined;
    const mark = changed && ((fact: string) => changed.add(fact));
    this.changed = changed;
    this.parents = new Facts('p:', mark);
    this.runs = new Facts('r:', mark);
    this.chatflows = new Facts('c:', mark);
    this.rebuilt = new Facts('b:', mark);
  }

  /** The run a legacy synthetic root names, for node spans whose run never comes. */
  get runHint(): string | undefined {
    return this.hint;
  }

  set runHint(runId: string | undefined) {
    if (runId === this.hint) return;
    this.hint = runId;
    this.changed?.add('h');
  }

  /** The facts of the given keys (`changed`), as JSON, for a store. */
  facts(keys: Iterable<string>): Record<string, string> {
    const maps = new Map(this.maps());
    const out: Record<string, string> = {};
    for (const fact of keys) {
      const value = fact === 'h' ? this.hint : maps.get(fact.slice(0, 2))?.get(fact.slice(2));
      if (value !== undefined) out[fact] = JSON.stringify(value);
    }
    return out;
  }

  /** A group kept over a restart, from its `facts()`. */
  static restore(
    traceId: string,
    deadline: number,
    facts: Readonly<Record<string, string>>,
    durable: boolean,
  ): Group {
    const g = new Group(traceId, deadline, durable);
    const maps = new Map(g.maps());
    for (const [fact, json] of Object.entries(facts)) {
      if (fact === 'h') g.hint = JSON.parse(json) as string;
      else maps.get(fact.slice(0, 2))?.set(fact.slice(2), JSON.parse(json));
    }
    g.changed?.clear();
    g.stored = true;
    return g;
  }

  private maps(): Array<[string, Map<string, unknown>]> {
    return [
      ['p:', this.parents],
      ['r:', this.runs],
      ['c:', this.chatflows],
      ['b:', this.rebuilt],
    ];
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
