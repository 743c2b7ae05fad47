import { createHash } from 'node:crypto';
import type { SpanInContext } from '../../../pdata/map-spans.js';
import type { AnyValue, KeyValue, Span } from '../../../pdata/traces.js';
import type { DifyHoldConfig } from '../config.js';
import { AnchorCache, type MessageAnchor, type RunAnchor } from './anchors.js';
import {
  messageEnvelope,
  nodesDocument,
  runEnvelope,
  scopedEnvelope,
  standaloneEnvelope,
} from './envelopes.js';
import type {
  ChatflowFragment,
  Fragment,
  LlmFragment,
  MessageFragment,
  NodeFragment,
  RunFragment,
  ScopedFragment,
} from './fragments.js';
import type { GiveUpReason, HoldMetrics } from './metrics.js';
import { difyTime, type Json } from './span-reader.js';

/** What a parent link of a seen span is counted as in `limit_mib`. */
const LINK_BYTES = 120;

/** A span of Dify's providers with what it says about Dify's entities. */
export interface DifySpan {
  readonly ctx: SpanInContext;
  readonly fragment: Fragment;
}

/**
 * A span that goes on: rebuilt by the `dify` mapping (`normalize: false`), or the provider's
 * span as it came, for the vocabulary pass (`normalize: true`).
 */
export interface Released {
  readonly ctx: SpanInContext;
  readonly normalize: boolean;
}

interface Held extends DifySpan {
  readonly bytes: number;
}

/** Rebuilt ids of a span that provider spans without an envelope counterpart hang under. */
interface Rebuilt {
  readonly traceId: string;
  readonly spanId: string;
  readonly opikTraceId?: string;
  readonly opikSpanId?: string;
}

/** Everything seen of one OTel trace while its deadline runs. */
class Group {
  pending: Held[] = [];
  bytes = 0;
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

  constructor(
    private readonly config: DifyHoldConfig,
    private readonly metrics: HoldMetrics,
    private readonly dropHelpers: boolean,
    private readonly now: () => number = Date.now,
  ) {
    this.anchors = new AnchorCache(config.anchor_cache_size, config.anchor_ttl, now);
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
        // Bookkeeping spans have no place in the rebuilt tree; a chatflow's root is the run's.
        if (f.kind === 'helper' && f.runId) g.runHint = f.runId;
        if (f.kind === 'chatflow') g.chatflows.set(span.spanId, f);
        if (!this.dropHelpers) out.push({ ctx: s.ctx, normalize: true });
        if (f.kind === 'helper') continue;
      } else {
        const bytes = approxBytes(span);
        g.pending.push({ ...s, bytes });
        g.bytes += bytes;
        this.bytes += bytes;
        this.spans++;
        this.metrics.held.inc();
      }
      touched.add(g);
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

  private group(traceId: string): Group {
    let g = this.groups.get(traceId);
    if (!g) {
      g = new Group(traceId, this.now() + this.config.wait_duration);
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
      else if ((f.kind === 'node' || f.kind === 'extra') && this.runOf(g, h.ctx.span))
        ready.push(h);
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

  /** The run a span belongs to: the nearest run span up its parent chain. */
  private runOf(g: Group, span: Span): RunAnchor | undefined {
    let id = span.parentSpanId;
    for (let i = 0; i < 64 && id !== ''; i++) {
      const run = g.runs.get(id);
      if (run) return run;
      const next = g.parents.get(id);
      if (next === undefined) return undefined;
      id = next;
    }
    return undefined;
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
    for (const h of spans) g.bytes -= h.bytes;
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
        this.runOf(g, h.ctx.span)?.runId ??
        (givingUp ? (h.fragment.runId ?? g.runHint) : undefined);
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
      if (rebuilt) this.remember(g, nodes, rebuilt);
    }
    for (const [runId, nodes] of nodesByRun) {
      const anchor = [...g.runs.values()].find((a) => a.runId === runId) ??
        this.anchors.run(runId) ?? { runId };
      const rebuilt = nodesDocument(
        anchor,
        nodes.map((n) => n.fragment),
      );
      emit(nodes[0]!, rebuilt, nodes);
      if (rebuilt) this.remember(g, nodes, rebuilt);
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
    out.push(...this.extras(g, of('extra')));
    return out;
  }

  /** Rebuilt ids of node spans, for the provider spans that hang under them. */
  private remember(g: Group, nodes: readonly Held[], rebuilt: readonly Span[]): void {
    const nodeSpans = rebuilt.slice(rebuilt.length - nodes.length);
    for (const [i, h] of nodes.entries()) g.rebuilt.set(h.ctx.span.spanId, idsOf(nodeSpans[i]!));
  }

  /**
   * Spans without an envelope counterpart (Aliyun's ReAct steps, thoughts and tool calls under
   * an agent node, sent with random ids): moved under their rebuilt parent, with ids seeded on
   * it, so a re-send gives the same spans. Parents first; an orphan goes on as it came.
   */
  private extras(g: Group, spans: readonly Held[]): Released[] {
    const out: Released[] = [];
    let left = [...spans];
    for (let progress = true; progress && left.length > 0; ) {
      progress = false;
      left = left.filter((h) => {
        const parent = g.rebuilt.get(h.ctx.span.parentSpanId);
        if (!parent) return true;
        const span = underParent(h.ctx.span, parent);
        g.rebuilt.set(h.ctx.span.spanId, idsOf(span));
        out.push({ ctx: { ...h.ctx, span }, normalize: true });
        progress = true;
        return false;
      });
    }
    for (const h of left) out.push({ ctx: h.ctx, normalize: true });
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

function attr(span: Span, key: string): string | undefined {
  const v = span.attributes.find((kv) => kv.key === key)?.value;
  return typeof v === 'string' ? v : undefined;
}

function idsOf(span: Span): Rebuilt {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    opikTraceId: attr(span, 'opik.trace_id'),
    opikSpanId: attr(span, 'opik.span_id'),
  };
}

function underParent(span: Span, parent: Rebuilt): Span {
  const seed = `dify-extra:${parent.spanId}:${span.name}:${difyTime(span.startTimeUnixNano)}`;
  const spanId = createHash('sha256').update(seed).digest('hex').slice(0, 16);
  const ids: KeyValue[] = [];
  if (parent.opikTraceId) ids.push({ key: 'opik.trace_id', value: parent.opikTraceId });
  if (parent.opikSpanId) ids.push({ key: 'opik.parent_span_id', value: parent.opikSpanId });
  return {
    ...span,
    traceId: parent.traceId,
    spanId,
    parentSpanId: parent.spanId,
    attributes: [...span.attributes.filter((kv) => !kv.key.startsWith('opik.')), ...ids],
  };
}

/** A rough size of a span in memory: enough to bound the hold, not an exact measure. */
export function approxBytes(span: Span): number {
  let n = 200 + span.name.length * 2;
  for (const kv of span.attributes) n += 48 + kv.key.length * 2 + valueBytes(kv.value);
  for (const e of span.events)
    for (const kv of e.attributes) n += 48 + kv.key.length * 2 + valueBytes(kv.value);
  return n;
}

function valueBytes(v: AnyValue): number {
  if (typeof v === 'string') return v.length * 2;
  if (v instanceof Uint8Array) return v.length;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + 16 + valueBytes(x), 0);
  if (v !== null && typeof v === 'object') {
    return (v as { kvlist: readonly KeyValue[] }).kvlist.reduce(
      (n, kv) => n + 48 + kv.key.length * 2 + valueBytes(kv.value),
      0,
    );
  }
  return 16;
}
