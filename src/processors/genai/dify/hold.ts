import { randomUUID } from 'node:crypto';
import type { SpanInContext } from '../../../pdata/map-spans.js';
import type { Span } from '../../../pdata/traces.js';
import type { HoldAnchorRecord, HoldGroupRecord } from '../../../storage/hold-store.js';
import type { DifyHoldConfig } from '../config.js';
import { AnchorCache, type MessageAnchor, type RunAnchor } from './anchors.js';
import {
  messageEnvelope,
  nodesDocument,
  runEnvelope,
  scopedEnvelope,
  standaloneEnvelope,
} from './envelopes.js';
import { placeExtras, rememberNodes } from './extras.js';
import type {
  Fragment,
  LlmFragment,
  MessageFragment,
  NodeFragment,
  RunFragment,
  ScopedFragment,
} from './fragments.js';
import { type DifySpan, Group, type Held } from './group.js';
import type { GiveUpReason, HoldMetrics } from './metrics.js';
import type { Json } from './span-reader.js';
import { approxBytes } from './span-size.js';

/** What a parent link of a seen span is counted as in `limit_mib`. */
const LINK_BYTES = 120;

/**
 * A span that goes on: rebuilt by the `dify` mapping (`normalize: false`), or the provider's
 * span as it came, for the vocabulary pass (`normalize: true`).
 */
export interface Released {
  readonly ctx: SpanInContext;
  readonly normalize: boolean;
}

/** What changed in the hold since the last `takeChanges`, for its store. */
export interface HoldDelta {
  /** Spans that came to wait, each with the key of its new record. */
  readonly spans: readonly Held[];
  readonly groups: readonly HoldGroupRecord[];
  readonly groupsGone: readonly string[];
  readonly anchors: readonly HoldAnchorRecord[];
  readonly anchorsGone: readonly string[];
  /** The store did not take the changes: they are written with the next ones. */
  rollback(): void;
}

/** A span kept over a restart, read back. */
export interface StoredSpan extends DifySpan {
  readonly key: string;
}

/** What the hold changed since its store last took it (with a store only). */
class Journal {
  readonly unsaved = new Set<Held>();
  readonly groups = new Set<string>();
  readonly anchors = new Set<string>();
  /** Spans released since the last `takeFreed`: their records go once what they became is accepted. */
  freed: Held[] = [];
}

/**
 * The hold: groups Dify's provider spans by OTel trace until the span that names their run or
 * message has come (Dify's Phoenix provider sends a run's nodes first and its run span last,
 * one per request), then rebuilds them from Dify's ids through the `dify` mapping. Bounded in
 * time (`wait_duration` from a trace's first span), traces (`num_traces`) and memory
 * (`limit_mib`); what the wait ends for goes on with what it has (derived ids), counted.
 */
export class DifyHold {
  private readonly groups = new Map<string, Group>();
  /** Message id → groups whose message-scoped spans wait for it. */
  private readonly waiting = new Map<string, Set<Group>>();
  private readonly anchors: AnchorCache;
  private bytes = 0;
  private spans = 0;
  private readonly journal?: Journal;

  /** `durable`: changes are kept for a store (`takeChanges`, `takeFreed`, `restore`). */
  constructor(
    private readonly config: DifyHoldConfig,
    private readonly metrics: HoldMetrics,
    private readonly dropHelpers: boolean,
    private readonly now: () => number = Date.now,
    durable = false,
  ) {
    const journal = durable ? new Journal() : undefined;
    this.journal = journal;
    this.anchors = new AnchorCache(
      config.anchor_cache_size,
      config.anchor_ttl,
      now,
      journal && ((key) => journal.anchors.add(key)),
    );
  }

  get state() {
    let traces = 0;
    for (const g of this.groups.values()) if (g.pending.length > 0) traces++;
    return { traces, spans: this.spans, bytes: this.bytes };
  }

  /** The earliest deadline of a trace, for the caller's timer. */
  nextDeadline(): number | undefined {
    return this.groups.values().next().value?.deadline;
  }

  /** Takes the Dify spans of one batch; returns what can go on now. */
  add(spans: readonly DifySpan[]): Released[] {
    const out: Released[] = [];
    const touched = new Set<Group>();
    for (const s of spans) {
      const g = this.group(s.ctx.span.traceId);
      const { span } = s.ctx;
      if (!g.parents.has(span.spanId)) {
        g.parents.set(span.spanId, span.parentSpanId);
        g.linkBytes += LINK_BYTES;
        this.bytes += LINK_BYTES;
      }
      const f = s.fragment;
      if (f.kind === 'helper' || f.kind === 'chatflow') {
        // Bookkeeping spans have no place in the rebuilt tree (a chatflow's root is its run's):
        // they tell which run their trace is, or which message a run belongs to.
        if (f.kind === 'helper') g.runHint = f.runId ?? g.runHint;
        else g.chatflows.set(span.spanId, f);
        if (!this.dropHelpers) out.push({ ctx: s.ctx, normalize: true });
      } else if (!g.pending.some((h) => h.ctx.span.spanId === span.spanId)) {
        // (A span sent again while it waits, as a client's retry does, waits once.)
        const h: Held = { ...s, bytes: approxBytes(span) };
        g.pending.push(h);
        this.bytes += h.bytes;
        this.spans++;
        this.metrics.held.inc();
        this.journal?.unsaved.add(h);
      }
      touched.add(g);
      this.journal?.groups.add(g.traceId);
    }
    for (const g of touched) out.push(...this.settle(g));
    out.push(...this.enforceBounds());
    return out;
  }

  /** Gives up on traces past their deadline (every trace when `all`, at shutdown). */
  expire(all = false): Released[] {
    const out: Released[] = [];
    const at = this.now();
    for (const g of this.groups.values()) {
      if (!all && g.deadline > at) break;
      out.push(...this.giveUp(g, all ? 'shutdown' : 'wait_duration'));
    }
    return out;
  }

  /**
   * What changed since the last call (undefined without a store, or when nothing did): spans
   * that came to wait (given their record keys now), groups written or gone, anchors.
   */
  takeChanges(): HoldDelta | undefined {
    const j = this.journal;
    if (!j || (j.unsaved.size === 0 && j.groups.size === 0 && j.anchors.size === 0)) {
      return undefined;
    }
    const spans = [...j.unsaved].filter((h) =>
      this.groups.get(h.ctx.span.traceId)?.pending.includes(h),
    );
    for (const h of spans) h.key = randomUUID();
    const groupIds = [...j.groups];
    const anchorKeys = [...j.anchors];
    j.unsaved.clear();
    j.groups.clear();
    j.anchors.clear();
    const groups: HoldGroupRecord[] = [];
    const groupsGone: string[] = [];
    const taken: Array<[Group, string[], boolean]> = [];
    for (const id of groupIds) {
      const g = this.groups.get(id);
      if (!g) {
        groupsGone.push(id);
        continue;
      }
      const changed = [...g.changed!];
      g.changed!.clear();
      taken.push([g, changed, g.stored]);
      // What was stored of an earlier group of the same trace goes first.
      if (!g.stored) groupsGone.push(id);
      g.stored = true;
      groups.push({ group: id, deadline: g.deadline, facts: g.facts(changed) });
    }
    const anchors: HoldAnchorRecord[] = [];
    const anchorsGone: string[] = [];
    for (const key of anchorKeys) {
      const e = this.anchors.entry(key);
      if (e) anchors.push({ key, value: JSON.stringify(e.value), expires: e.expires });
      else anchorsGone.push(key);
    }
    return {
      spans,
      groups,
      groupsGone,
      anchors,
      anchorsGone,
      rollback: () => {
        for (const h of spans) {
          h.key = undefined;
          j.unsaved.add(h);
        }
        for (const id of groupIds) j.groups.add(id);
        for (const [g, changed, stored] of taken) {
          for (const fact of changed) g.changed!.add(fact);
          g.stored = stored;
        }
        for (const key of anchorKeys) j.anchors.add(key);
      },
    };
  }

  /** The spans released since the last call (with a store only). */
  takeFreed(): Held[] {
    const j = this.journal;
    if (!j) return [];
    const freed = j.freed;
    j.freed = [];
    return freed;
  }

  /**
   * Puts back spans whose release was not accepted downstream: into their trace's group, or a
   * new one that waits `wait_duration` again. Returns the record keys of spans that are waiting
   * already (sent again meanwhile), whose records are no longer needed.
   */
  putBack(spans: readonly Held[]): string[] {
    const extra: string[] = [];
    for (const h of spans) {
      const g = this.group(h.ctx.span.traceId);
      this.journal?.groups.add(g.traceId);
      if (g.pending.some((p) => p.ctx.span.spanId === h.ctx.span.spanId)) {
        if (h.key) extra.push(h.key);
        continue;
      }
      g.pending.push(h);
      this.bytes += h.bytes;
      this.spans++;
      if (!h.key) this.journal?.unsaved.add(h);
    }
    return extra;
  }

  /**
   * Loads what a store kept over a restart: the groups with their deadlines (a span without its
   * group waits no longer), the spans in the order they came, the anchors. Returns what can go
   * on at once; what is past its deadline goes with the next `expire`.
   */
  restore(
    groups: readonly HoldGroupRecord[],
    spans: readonly StoredSpan[],
    anchors: readonly HoldAnchorRecord[],
  ): Released[] {
    for (const a of anchors) {
      this.anchors.restore(a.key, {
        value: JSON.parse(a.value) as RunAnchor | MessageAnchor,
        expires: a.expires,
      });
    }
    const loaded = new Map<string, Group>();
    for (const r of groups) {
      loaded.set(r.group, Group.restore(r.group, r.deadline, r.facts, this.journal !== undefined));
    }
    for (const s of spans) {
      let g = loaded.get(s.ctx.span.traceId);
      if (!g) {
        g = new Group(s.ctx.span.traceId, this.now(), this.journal !== undefined);
        loaded.set(g.traceId, g);
        this.journal?.groups.add(g.traceId);
      }
      const h: Held = { ...s, bytes: approxBytes(s.ctx.span) };
      g.pending.push(h);
      this.bytes += h.bytes;
      this.spans++;
    }
    for (const g of [...loaded.values()].sort((a, b) => a.deadline - b.deadline)) {
      g.linkBytes = g.parents.size * LINK_BYTES;
      this.bytes += g.linkBytes;
      this.groups.set(g.traceId, g);
    }
    const out: Released[] = [];
    for (const g of loaded.values())
      if (this.groups.get(g.traceId) === g) out.push(...this.settle(g));
    out.push(...this.enforceBounds());
    return out;
  }

  private group(traceId: string): Group {
    let g = this.groups.get(traceId);
    if (!g) {
      g = new Group(traceId, this.now() + this.config.wait_duration, this.journal !== undefined);
      this.groups.set(traceId, g);
    }
    return g;
  }

  /** Oldest traces first, gives up until the hold is within `num_traces` and `limit_mib`. */
  private enforceBounds(): Released[] {
    const out: Released[] = [];
    const limit = this.config.limit_mib * 1024 * 1024;
    for (const g of this.groups.values()) {
      const overCount = this.groups.size > this.config.num_traces;
      if (!overCount && this.bytes <= limit) break;
      out.push(...this.giveUp(g, overCount ? 'num_traces' : 'limit_mib'));
    }
    return out;
  }

  /** Releases what the group can now place; then what waited for messages it named. */
  private settle(first: Group): Released[] {
    const out: Released[] = [];
    const queue = [first];
    while (queue.length > 0) {
      const g = queue.shift()!;
      this.journal?.groups.add(g.traceId);
      const named = new Set<string>();
      out.push(...this.release(g, this.ready(g, named), false));
      for (const id of named) {
        const waiters = this.waiting.get(id);
        if (!waiters) continue;
        this.waiting.delete(id);
        for (const w of waiters) if (w !== g) queue.push(w);
      }
    }
    return out;
  }

  /** The pending spans of `g` that can be placed now; `named` gets the messages they name. */
  private ready(g: Group, named: Set<string>): Held[] {
    const ready: Held[] = [];
    for (const h of g.pending) {
      if (h.fragment.kind !== 'run') continue;
      const anchor = this.runAnchor(g, h as Held & { fragment: RunFragment }, false);
      if (!anchor) continue;
      ready.push(h);
      if (anchor.messageId) named.add(anchor.messageId);
    }
    const messages = new Set<string>();
    for (const h of g.pending) {
      const f = h.fragment;
      if (f.kind !== 'message') continue;
      const hasLlm = g.pending.some(
        (p) => p.fragment.kind === 'llm' && p.fragment.messageId === f.messageId,
      );
      if (f.awaitsLlm && !hasLlm) continue;
      ready.push(h);
      messages.add(f.messageId);
      named.add(f.messageId);
    }
    for (const h of g.pending) {
      const f = h.fragment;
      if (f.kind === 'llm' && messages.has(f.messageId)) ready.push(h);
      else if ((f.kind === 'node' || f.kind === 'extra') && g.runOf(h.ctx.span)) ready.push(h);
      else if (f.kind === 'standalone') ready.push(h);
      else if (f.kind === 'scoped') {
        // A message released with it is remembered before it (`release`).
        if (messages.has(f.messageId) || this.anchors.message(f.messageId)) ready.push(h);
        else this.await(g, f.messageId);
      }
    }
    return ready;
  }

  /** Decides a run's anchor (remembering it), or undefined while its chatflow is unknown. */
  private runAnchor(
    g: Group,
    h: Held & { fragment: RunFragment },
    givingUp: boolean,
  ): RunAnchor | undefined {
    const f = h.fragment;
    const parent = h.ctx.span.parentSpanId;
    let messageId = (f.info.message_id as string | null) ?? undefined;
    const chatflow = g.chatflows.get(parent);
    if (f.chatflow === 'parent') {
      if (chatflow) messageId = chatflow.messageId;
      else if (!g.parents.has(parent) && !givingUp) return undefined;
    }
    const anchor: RunAnchor = {
      runId: f.runId,
      start: f.info.start_time as string,
      messageId,
      unnamedChatflow: f.chatflow === 'unnamed' || undefined,
      traceId: (f.info.trace_id as string | null) ?? undefined,
      appId: f.appId ?? chatflow?.appId,
      tenantId: (f.info.tenant_id as string | undefined) ?? undefined,
      workflowId: (f.info.workflow_id as string | undefined) ?? undefined,
    };
    g.runs.set(h.ctx.span.spanId, anchor);
    this.anchors.putRun(anchor);
    if (messageId) {
      this.anchors.putMessage({
        messageId,
        created: anchor.start,
        runId: f.runId,
        conversationId: (f.info.conversation_id as string | null) ?? undefined,
        appId: anchor.appId,
      });
    }
    return anchor;
  }

  private await(g: Group, messageId: string): void {
    g.awaited.add(messageId);
    let set = this.waiting.get(messageId);
    if (!set) {
      set = new Set();
      this.waiting.set(messageId, set);
    }
    set.add(g);
  }

  /** Ends the wait of every pending span of `g` and forgets the trace. */
  private giveUp(g: Group, reason: GiveUpReason): Released[] {
    this.groups.delete(g.traceId);
    this.journal?.groups.add(g.traceId);
    this.bytes -= g.linkBytes;
    for (const id of g.awaited) {
      const waiters = this.waiting.get(id);
      waiters?.delete(g);
      if (waiters?.size === 0) this.waiting.delete(id);
    }
    if (g.pending.length > 0) this.metrics.givenUp(reason).inc(g.pending.length);
    return this.release(g, g.pending, true);
  }

  /** Rebuilds `spans` (taken out of `g.pending`) from what they say and what is known. */
  private release(g: Group, spans: readonly Held[], givingUp: boolean): Released[] {
    if (spans.length === 0) return [];
    const taken = new Set(spans);
    g.pending = g.pending.filter((h) => !taken.has(h));
    if (this.journal) {
      this.journal.freed.push(...spans);
      for (const h of spans) this.journal.unsaved.delete(h);
    }
    this.bytes -= spans.reduce((n, h) => n + h.bytes, 0);
    this.spans -= spans.length;
    if (!givingUp) this.metrics.released.inc(spans.length);

    const out: Released[] = [];
    const plain = (h: Held) => out.push({ ctx: h.ctx, normalize: true });
    const emit = (from: Held, rebuilt: Span[] | undefined, originals: readonly Held[]) => {
      if (!rebuilt) for (const h of originals) plain(h);
      else for (const span of rebuilt) out.push({ ctx: { ...from.ctx, span }, normalize: false });
    };
    const of = <K extends Fragment['kind']>(kind: K) =>
      spans.filter((h) => h.fragment.kind === kind) as Array<
        Held & { fragment: Extract<Fragment, { kind: K }> }
      >;

    // Nodes by run: with their run's own span when it goes now, else as a node document.
    const nodesByRun = new Map<string, Array<Held & { fragment: NodeFragment }>>();
    const lost: Held[] = [];
    for (const h of of('node')) {
      const runId =
        g.runOf(h.ctx.span)?.runId ?? (givingUp ? (h.fragment.runId ?? g.runHint) : undefined);
      if (!runId) {
        lost.push(h);
        continue;
      }
      const list = nodesByRun.get(runId) ?? [];
      list.push(h);
      nodesByRun.set(runId, list);
    }
    for (const h of of('run')) {
      const anchor = g.runs.get(h.ctx.span.spanId) ?? this.runAnchor(g, h, true)!;
      const nodes = nodesByRun.get(anchor.runId) ?? [];
      nodesByRun.delete(anchor.runId);
      const rebuilt = runEnvelope(
        h.fragment,
        anchor,
        nodes.map((n) => n.fragment),
      );
      emit(h, rebuilt, [h, ...nodes]);
      if (rebuilt) rememberNodes(g, nodes, rebuilt);
    }
    for (const [runId, nodes] of nodesByRun) {
      const anchor = [...g.runs.values()].find((a) => a.runId === runId) ??
        this.anchors.run(runId) ?? { runId };
      const rebuilt = nodesDocument(
        anchor,
        nodes.map((n) => n.fragment),
      );
      emit(nodes[0]!, rebuilt, nodes);
      if (rebuilt) rememberNodes(g, nodes, rebuilt);
    }
    for (const h of lost) plain(h);

    const llms = of('llm');
    for (const h of of('message') as Array<Held & { fragment: MessageFragment }>) {
      const llm = llms.find((l) => l.fragment.messageId === h.fragment.messageId);
      if (llm) llms.splice(llms.indexOf(llm), 1);
      this.anchors.putMessage(messageAnchor(h.fragment));
      emit(
        h,
        messageEnvelope(h.fragment, llm?.fragment as LlmFragment | undefined),
        llm ? [h, llm] : [h],
      );
    }
    for (const h of llms) plain(h);
    for (const h of of('scoped') as Array<Held & { fragment: ScopedFragment }>) {
      emit(h, scopedEnvelope(h.fragment, this.anchors.message(h.fragment.messageId)), [h]);
    }
    for (const h of of('standalone')) emit(h, standaloneEnvelope(h.fragment), [h]);
    out.push(...placeExtras(g, of('extra')));
    return out;
  }
}

function messageAnchor(f: MessageFragment): MessageAnchor {
  const meta = (f.info.metadata ?? {}) as Json;
  const data = (f.info.message_data ?? {}) as Json;
  const conversation = meta.conversation_id ?? data.conversation_id;
  return {
    messageId: f.messageId,
    created: f.info.start_time as string,
    conversationId: typeof conversation === 'string' && conversation ? conversation : undefined,
    appId: f.appId,
  };
}
