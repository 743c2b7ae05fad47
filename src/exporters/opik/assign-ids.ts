import { hexToBytes, opikIdFromOtel } from '../../opik-ids/otel.js';
import { isUuidV7, uuidV7Timestamp } from '../../opik-ids/uuid.js';
import { mapSpans } from '../../pdata/map-spans.js';
import { makeTraces } from '../../pdata/span.js';
import { eachSpan } from '../../pdata/split.js';
import type { KeyValue, ResourceSpans, ScopeSpans, Span, Traces } from '../../pdata/traces.js';
import type { IdStore } from '../../storage/id-store.js';
import { MOVED_FROM, PARKED, parkedRecord, readParked } from './parked.js';
import { isReceivedObject } from './received-objects.js';

/** The Opik ids of one span, as the exporter sends them on every path. */
export interface OpikIds {
  readonly traceId: string;
  readonly spanId: string;
  /** null for a span at the top of its Opik trace. */
  readonly parentSpanId: string | null;
}

export const ID_KEYS = ['opik.trace_id', 'opik.span_id', 'opik.parent_span_id'] as const;
/** The attributes `assignIds` writes (and replaces when a span passes it again). */
const OWN_KEYS = new Set<string>([...ID_KEYS, MOVED_FROM, PARKED]);
const SLOTS: Record<string, keyof Stated> = {
  'opik.trace_id': 'trace',
  'opik.span_id': 'span',
  'opik.parent_span_id': 'parent',
};

/** The ids a span states itself: valid UUIDv7 `opik.*` attributes, lowercased (Opik ignores others). */
interface Stated {
  trace?: string;
  span?: string;
  parent?: string;
}

function statedIds(span: Span): Stated {
  const out: Stated = {};
  for (const { key, value } of span.attributes) {
    const slot = key.startsWith('opik.') ? SLOTS[key] : undefined;
    if (slot && out[slot] === undefined && isUuidV7(value)) out[slot] = value.toLowerCase();
  }
  return out;
}

interface Item {
  readonly resource: ResourceSpans;
  readonly scope: ScopeSpans;
  readonly span: Span;
  readonly stated: Stated;
  /** Set on spans moved from stand-in traces: those traces' ids. */
  movedFrom?: readonly string[];
  /** Set on spans parked in this batch. */
  parked?: boolean;
}

const ns2ms = (ns: bigint) => Number(ns / 1_000_000n);
const spanKey = (traceId: string, spanId: string) => `${traceId}:${spanId}`;
const keyOf = (i: Item) => spanKey(i.span.traceId, i.span.spanId);
const none = Promise.resolve(new Map<string, string>());

/**
 * A span whose receiver knew its own Opik id but neither its trace's nor its parent's (Dify node
 * rows posted without their run's start, a chatflow's moderation, a message-scoped span without
 * its message's time): its trace's Opik id may be stated later, and it is parked until then.
 */
const waitsForItsTrace = (i: Item) =>
  i.stated.span !== undefined &&
  i.stated.trace === undefined &&
  i.stated.parent === undefined &&
  i.span.parentSpanId !== '';

/**
 * Gives every span its Opik ids and writes them onto it (`opik.trace_id`, `opik.span_id`,
 * `opik.parent_span_id`), so that every later step, every retry and either path sends the same
 * ids, and a batch delivered from a persistent queue after a restart gets the ids it got now.
 *
 * Ids a span states (valid UUIDv7 `opik.*`, set by a receiver) are kept and remembered in the id
 * store (a trace's, and a top-level span's): a later span of the same OTel trace that states none
 * joins the same Opik trace and finds its parent's Opik id (node rows posted after their run,
 * message-scoped spans). The rest follow
 * Opik's own derivation: the trace id from the OTel trace id and the trace's first-stored
 * timestamp (the earliest start in the first batch that carried it), span and parent ids from
 * their OTel ids and the timestamp inside the Opik trace id.
 *
 * Order independence: a span that waits for its trace's Opik id (`waitsForItsTrace`) and finds
 * none goes under a derived stand-in trace and is parked in the store. The batch that first
 * states the trace's id takes the parked spans back and adds them to itself under that id,
 * marked with the stand-in (`MOVED_FROM`): the exporter upserts them through REST and removes the
 * stand-in trace. Opik ends as it would have had the spans come in their natural order.
 *
 * Opik objects the `opik` receiver took in (received-objects.ts) pass unchanged: they keep the
 * ids they came with, and the store does not learn them.
 *
 * One round trip to the store; a second only when spans are parked, a third when spans move.
 */
export async function assignIds(traces: Traces, store: IdStore): Promise<Traces> {
  const items: Item[] = [];
  for (const { resource, scope, span } of eachSpan(traces)) {
    // An Opik object the `opik` receiver took in keeps the ids it came with, and is not remembered.
    if (!isReceivedObject(span)) items.push({ resource, scope, span, stated: statedIds(span) });
  }
  if (items.length === 0) return traces;
  const statedTraces = new Map<string, string>();
  const statedSpans = new Map<string, string>();
  // Only top-level spans' ids are remembered past the batch: the spans that look a parent up
  // later (node rows, message-scoped spans) hang under their run's or message's top span.
  const statedRoots = new Map<string, string>();
  for (const { span, stated } of items) {
    if (stated.trace && !statedTraces.has(span.traceId))
      statedTraces.set(span.traceId, stated.trace);
    if (!stated.span) continue;
    statedSpans.set(spanKey(span.traceId, span.spanId), stated.span);
    if (span.parentSpanId === '') statedRoots.set(spanKey(span.traceId, span.spanId), stated.span);
  }
  const firstStart = new Map<string, number>();
  for (const { span } of items) {
    if (statedTraces.has(span.traceId)) continue;
    const start = ns2ms(span.startTimeUnixNano);
    const seen = firstStart.get(span.traceId);
    if (seen === undefined || start < seen) firstStart.set(span.traceId, start);
  }
  // Issued together, in this order: a networked store answers them in one round trip, and the
  // parked spans of a trace are taken only after its Opik id is stored. The timestamp is stored
  // for every trace no span of this batch names, even one the store knows an Opik id for.
  const [traceIds, spanIds, knownTraces, knownSpans, timestamps, taken] = await Promise.all([
    statedTraces.size > 0 ? store.putIfAbsent('opik_trace', statedTraces) : none,
    statedRoots.size > 0 ? store.putIfAbsent('opik_span', statedRoots) : none,
    firstStart.size > 0 ? store.get('opik_trace', firstStart.keys()) : none,
    lookUpParents(items, statedSpans, store),
    firstStart.size > 0
      ? store.putIfAbsent('trace_timestamp', mapValues(firstStart, String))
      : none,
    statedTraces.size > 0 ? store.takeParked(statedTraces.keys()) : Promise.resolve(new Map()),
  ]);
  const traceOf = new Map([...knownTraces, ...traceIds]);
  const parentOf = new Map([...knownSpans, ...statedSpans, ...spanIds]);
  const derive = idDeriver();
  const opikTraceId = (otelTraceId: string) =>
    traceOf.get(otelTraceId) ?? derive(otelTraceId, Number(timestamps.get(otelTraceId) ?? 0));

  await park(items, traceOf, opikTraceId, store);
  const moved = await movedSpans(taken, parentOf, store);
  const movedFrom = new Map(moved.map((m) => [keyOf(m), m.movedFrom!]));
  const ids = (i: Item): OpikIds => {
    const traceId = i.stated.trace ?? opikTraceId(i.span.traceId);
    const ts = uuidV7Timestamp(traceId);
    const parentKey = spanKey(i.span.traceId, i.span.parentSpanId);
    return {
      traceId,
      spanId: i.stated.span ?? derive(i.span.spanId, ts),
      parentSpanId:
        i.stated.parent ??
        (i.span.parentSpanId === ''
          ? null
          : (parentOf.get(parentKey) ?? derive(i.span.parentSpanId, ts))),
    };
  };
  const byId = new Map(items.map((i) => [i.span, i]));
  const stamped = mapSpans(traces, ({ span }) => {
    const item = byId.get(span);
    if (!item) return span;
    return withIds(span, ids(item), { movedFrom: movedFrom.get(keyOf(item)), parked: item.parked });
  });
  // A moved span that is in this batch too goes once, as the batch's own (marked above).
  const inBatch = new Set(items.map(keyOf));
  const extra = moved.filter((m) => !inBatch.has(keyOf(m)));
  if (extra.length === 0) return stamped;
  const movedSpansOnly = extra.map(
    (m) =>
      makeTraces([withIds(m.span, ids(m), m)], m.resource.resource.attributes, m.scope.scope)
        .resourceSpans[0]!,
  );
  return { resourceSpans: [...stamped.resourceSpans, ...movedSpansOnly] };
}

/** The remembered Opik ids of the parents this batch needs and does not state itself. */
function lookUpParents(
  items: readonly Item[],
  statedSpans: ReadonlyMap<string, string>,
  store: IdStore,
): Promise<Map<string, string>> {
  const keys = new Set<string>();
  for (const { span, stated } of items) {
    const parent = spanKey(span.traceId, span.parentSpanId);
    if (!stated.parent && span.parentSpanId !== '' && !statedSpans.has(parent)) keys.add(parent);
  }
  return keys.size > 0 ? store.get('opik_span', keys) : none;
}

/**
 * Parks, per OTel trace without an Opik id, the spans that wait for it, under the stand-in trace
 * they are written to now. A trace whose id was stored meanwhile parks nothing: its spans take
 * that id instead (`traceOf` learns it).
 */
async function park(
  items: readonly Item[],
  traceOf: Map<string, string>,
  opikTraceId: (otelTraceId: string) => string,
  store: IdStore,
): Promise<void> {
  const waiting = new Map<string, Item[]>();
  for (const i of items) {
    if (!waitsForItsTrace(i) || traceOf.has(i.span.traceId)) continue;
    const list = waiting.get(i.span.traceId) ?? [];
    list.push(i);
    waiting.set(i.span.traceId, list);
  }
  if (waiting.size === 0) return;
  const records = new Map<string, string>();
  for (const [otelTraceId, list] of waiting) {
    const traces = {
      resourceSpans: list.map(
        (i) =>
          makeTraces([i.span], i.resource.resource.attributes, i.scope.scope).resourceSpans[0]!,
      ),
    };
    records.set(otelTraceId, parkedRecord({ standIn: opikTraceId(otelTraceId), traces }));
  }
  const known = await store.park(records);
  for (const [otelTraceId, opikId] of known) traceOf.set(otelTraceId, opikId);
  for (const [otelTraceId, list] of waiting) {
    if (!known.has(otelTraceId)) for (const i of list) i.parked = true;
  }
}

/**
 * The spans parked under stand-ins of the traces this batch states (each once), marked with their
 * stand-ins; `parentOf` learns the remembered Opik ids of their parents.
 */
async function movedSpans(
  taken: ReadonlyMap<string, string[]>,
  parentOf: Map<string, string>,
  store: IdStore,
): Promise<Item[]> {
  const moved = new Map<string, Item>();
  for (const records of taken.values()) {
    for (const record of records) {
      const { standIn, traces } = readParked(record);
      for (const { resource, scope, span } of eachSpan(traces)) {
        const item: Item = { resource, scope, span, stated: statedIds(span), movedFrom: [standIn] };
        // Parked twice (a re-send): moved once, removing every stand-in it was written under.
        const twin = moved.get(keyOf(item));
        if (!twin) moved.set(keyOf(item), item);
        else if (!twin.movedFrom!.includes(standIn)) twin.movedFrom = [...twin.movedFrom!, standIn];
      }
    }
  }
  const parents = new Set<string>();
  for (const { span } of moved.values()) {
    const parent = spanKey(span.traceId, span.parentSpanId);
    if (!parentOf.has(parent)) parents.add(parent);
  }
  if (parents.size > 0) {
    for (const [k, v] of await store.get('opik_span', parents)) parentOf.set(k, v);
  }
  return [...moved.values()];
}

/** Opik's id for an OTel id at a timestamp, each computed once per batch (parents repeat). */
function idDeriver(): (hex: string, ts: number) => string {
  const cache = new Map<string, string>();
  return (hex, ts) => {
    const key = `${hex}:${ts}`;
    let id = cache.get(key);
    if (id === undefined) {
      id = opikIdFromOtel(hexToBytes(hex), ts);
      cache.set(key, id);
    }
    return id;
  };
}

/**
 * The span with exactly these Opik ids as its `opik.*` id attributes, and the marks of a span
 * moved from stand-ins (`MOVED_FROM`) or parked under one (`PARKED`).
 */
export function withIds(
  span: Span,
  ids: OpikIds,
  marks: { readonly movedFrom?: readonly string[]; readonly parked?: boolean } = {},
): Span {
  const attributes: KeyValue[] = span.attributes.filter((kv) => !OWN_KEYS.has(kv.key));
  attributes.push(
    { key: 'opik.trace_id', value: ids.traceId },
    { key: 'opik.span_id', value: ids.spanId },
  );
  if (ids.parentSpanId !== null)
    attributes.push({ key: 'opik.parent_span_id', value: ids.parentSpanId });
  if (marks.movedFrom) attributes.push({ key: MOVED_FROM, value: [...marks.movedFrom] });
  if (marks.parked) attributes.push({ key: PARKED, value: span.traceId });
  return { ...span, attributes };
}

/**
 * The ids `assignIds` wrote onto a span. They are its last attributes (`withIds` appends them),
 * so they are read from the end, without validating what the exporter itself wrote.
 */
export function assignedIds(span: Span): OpikIds {
  let traceId: string | undefined;
  let spanId: string | undefined;
  let parentSpanId: string | null = null;
  const attrs = span.attributes;
  for (let i = attrs.length - 1; i >= 0 && (traceId === undefined || spanId === undefined); i--) {
    const { key, value } = attrs[i]!;
    if (key === 'opik.trace_id') traceId = value as string;
    else if (key === 'opik.span_id') spanId = value as string;
    else if (key === 'opik.parent_span_id') parentSpanId = value as string;
  }
  if (traceId === undefined || spanId === undefined) {
    throw new Error(`span ${span.spanId} reached the Opik mapping without its Opik ids`);
  }
  return { traceId, spanId, parentSpanId };
}

function mapValues<K, V, W>(m: ReadonlyMap<K, V>, f: (v: V) => W): Map<K, W> {
  return new Map([...m].map(([k, v]) => [k, f(v)]));
}
