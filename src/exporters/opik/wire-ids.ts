/**
 * `assignIds` for a batch in its wire form whose spans state no Opik ids (the common case: OTel
 * spans from an instrumented service): the same ids, the same id-store calls, written onto the
 * same spans, without decoding them. One SHA-256 per distinct OTel id, no string per span: ids
 * are written as UUID text straight into the new request, after each span's own fields.
 */
import { writeOpikIdFromOtel, writeUuidText } from '../../opik-ids/otel.js';
import { copyBytes } from '../../otlp/copy-bytes.js';
import { OPIK_KEY } from '../../otlp/proto-scan.js';
import { ANY_VALUE, KEY_VALUE, SPAN } from '../../otlp/proto-tags.js';
import { ascii, bytesEqual, FieldCursor, fixed64Ms } from '../../otlp/wire-fields.js';
import { type Appender, type SpanTable, WireTraces } from '../../pdata/wire-traces.js';
import type { IdStore } from '../../storage/id-store.js';
import { MOVED_FROM, PARKED } from './parked.js';

/** Keys that make `assignIds` treat a span differently from a plain OTel span. */
const DECIDING_KEYS = [
  'opik.trace_id',
  'opik.span_id',
  'opik.parent_span_id',
  'opik.entity_type',
  MOVED_FROM,
  PARKED,
].map(ascii);

export const UUID_TEXT = 36;
const none = Promise.resolve(new Map<string, string>());

/**
 * The batch with every span's Opik ids to be appended as `opik.trace_id`, `opik.span_id` and
 * (below the top) `opik.parent_span_id`, exactly as `assignIds` would write them (`AssignedIds`);
 * `undefined` when a span states ids or is otherwise not plain (then `assignIds` decodes the
 * batch and does the work).
 */
export async function assignIdsWire(
  batch: WireTraces,
  store: IdStore,
): Promise<WireTraces | undefined> {
  const { bytes, spans } = batch;
  const n = spans.count;
  const cursor = new FieldCursor();
  for (let i = 0; i < n; i++) {
    if (spans.marks(i) & OPIK_KEY && statesIds(bytes, spans.start(i), spans.end(i), cursor)) {
      return undefined;
    }
  }

  // Distinct traces, in order of first appearance, with the earliest start time of each.
  const traces = new IdTable(bytes, 16, n);
  const traceOf = new Int32Array(n);
  const firstStart: number[] = [];
  const traceHex: string[] = [];
  for (let i = 0; i < n; i++) {
    const at = spans.traceAt(i);
    const slot = traces.slot(at);
    traceOf[i] = slot;
    const timeAt = spans.timeAt(i);
    const start = timeAt < 0 ? 0 : fixed64Ms(bytes, timeAt);
    if (slot === traceHex.length) {
      traceHex.push(bytes.toString('hex', at, at + 16));
      firstStart.push(start);
    } else if (start < firstStart[slot]!) firstStart[slot] = start;
  }
  // Parents: the same spans in this batch (found without strings), and the keys the store is
  // asked for, as `assignIds` asks them (every distinct parent).
  const ids = new IdTable(bytes, 8, n);
  const parentSpan = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) ids.add(spans.spanAt(i), i);
  const parentKeys = new Set<string>();
  const parentKeyOf: (string | undefined)[] = new Array(n);
  const asked = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const at = spans.parentAt(i);
    if (at < 0) continue;
    const p = ids.find(at, (j) => traceOf[j] === traceOf[i]);
    parentSpan[i] = p;
    if (p >= 0 && asked[p]) continue;
    if (p >= 0) asked[p] = 1;
    const key = `${traceHex[traceOf[i]!]}:${bytes.toString('hex', at, at + 8)}`;
    parentKeyOf[i] = key;
    parentKeys.add(key);
  }

  const timestamps = new Map<string, string>();
  for (let t = 0; t < traceHex.length; t++) timestamps.set(traceHex[t]!, String(firstStart[t]));
  // Issued in the order `assignIds` issues them for a batch that states nothing.
  const [knownTraces, knownParents, storedTimes] = await Promise.all([
    traceHex.length > 0 ? store.get('opik_trace', traceHex) : none,
    parentKeys.size > 0 ? store.get('opik_span', parentKeys) : none,
    traceHex.length > 0 ? store.putIfAbsent('trace_timestamp', timestamps) : none,
  ]);

  // The ids as UUID text: per trace, then per span its own and its parent's.
  const traceText = Buffer.allocUnsafe(traceHex.length * UUID_TEXT);
  const traceMs = new Float64Array(traceHex.length);
  const scratch = new Uint8Array(16);
  for (let t = 0; t < traceHex.length; t++) {
    const known = knownTraces.get(traceHex[t]!);
    if (known !== undefined) {
      if (!isUuidText(known)) return undefined;
      traceText.write(known, t * UUID_TEXT, 'latin1');
    } else {
      const ms = Number(storedTimes.get(traceHex[t]!) ?? 0);
      writeOpikIdFromOtel(scratch, 0, bytes, traces.at(t), 16, ms);
      writeUuidText(traceText, t * UUID_TEXT, scratch, 0);
    }
    traceMs[t] = textTimestamp(traceText, t * UUID_TEXT);
  }
  const spanText = Buffer.allocUnsafe(n * UUID_TEXT);
  for (let i = 0; i < n; i++) {
    writeOpikIdFromOtel(scratch, 0, bytes, spans.spanAt(i), 8, traceMs[traceOf[i]!]!);
    writeUuidText(spanText, i * UUID_TEXT, scratch, 0);
  }
  const parentText = Buffer.allocUnsafe(n * UUID_TEXT);
  const keyOfParent = (i: number) =>
    parentKeyOf[i] ??
    `${traceHex[traceOf[i]!]}:${bytes.toString('hex', spans.parentAt(i), spans.parentAt(i) + 8)}`;
  for (let i = 0; i < n; i++) {
    const at = spans.parentAt(i);
    if (at < 0) continue;
    const known = knownParents.size > 0 ? knownParents.get(keyOfParent(i)) : undefined;
    if (known !== undefined) {
      if (!isUuidText(known)) return undefined;
      parentText.write(known, i * UUID_TEXT, 'latin1');
    } else if (parentSpan[i]! >= 0) {
      spanText.copy(
        parentText,
        i * UUID_TEXT,
        parentSpan[i]! * UUID_TEXT,
        (parentSpan[i]! + 1) * UUID_TEXT,
      );
    } else {
      writeOpikIdFromOtel(scratch, 0, bytes, at, 8, traceMs[traceOf[i]!]!);
      writeUuidText(parentText, i * UUID_TEXT, scratch, 0);
    }
  }

  return new WireTraces(
    batch.bytes,
    spans,
    batch.groups,
    new AssignedIds(traceText, traceOf, spanText, parentText, spans),
  );
}

/**
 * The Opik ids `assignIdsWire` gave a batch's spans, as UUID text, not yet written into the
 * batch's bytes: its appendix (`WireTraces.appendix`), which writes them as the attributes
 * `opik.trace_id`, `opik.span_id` and `opik.parent_span_id` when the batch becomes bytes (a
 * persistent queue) and which the exporter's mapping reads directly.
 */
export class AssignedIds implements Appender {
  readonly marks = OPIK_KEY;
  private readonly traceStrings: (string | undefined)[] = [];

  constructor(
    /** 36 bytes per distinct trace. */
    readonly traceText: Buffer,
    /** Each span's trace (its 36 bytes in `traceText` start at `traceOf[i] * 36`). */
    readonly traceOf: Int32Array,
    /** 36 bytes per span. */
    readonly spanText: Buffer,
    /** 36 bytes per span that has a parent. */
    readonly parentText: Buffer,
    private readonly spans: SpanTable,
  ) {}

  hasParent(i: number): boolean {
    return this.spans.parentAt(i) >= 0;
  }

  /** The trace id of span `i` as a string (one string per trace). */
  traceId(i: number): string {
    const slot = this.traceOf[i]!;
    const known = this.traceStrings[slot];
    if (known !== undefined) return known;
    const text = this.traceText.toString('latin1', slot * UUID_TEXT, (slot + 1) * UUID_TEXT);
    this.traceStrings[slot] = text;
    return text;
  }

  length(i: number): number {
    return TRACE_ID.length + SPAN_ID.length + (this.hasParent(i) ? PARENT_ID.length : 0);
  }

  write(i: number, out: Buffer, at: number): void {
    let o = TRACE_ID.write(out, at, this.traceText, this.traceOf[i]! * UUID_TEXT);
    o = SPAN_ID.write(out, o, this.spanText, i * UUID_TEXT);
    if (this.hasParent(i)) PARENT_ID.write(out, o, this.parentText, i * UUID_TEXT);
  }
}

/** An attribute `key` with a UUID text value, as the bytes of one `Span.attributes` field. */
class IdAttribute {
  private readonly template: Buffer;
  readonly length: number;

  constructor(key: string) {
    const k = ascii(key);
    const value = [ANY_VALUE.stringValue, UUID_TEXT];
    const kv = [KEY_VALUE.key, k.length, ...k, KEY_VALUE.value, value.length + UUID_TEXT, ...value];
    const content = kv.length + UUID_TEXT;
    this.template = Buffer.from([SPAN.attributes, content, ...kv, ...new Array(UUID_TEXT).fill(0)]);
    if (content > 0x7f || SPAN.attributes > 0x7f) throw new Error('id attribute: unexpected size');
    this.length = this.template.length;
  }

  /** Writes the field with the 36 bytes of `text[from]` as its value; returns the position after. */
  write(out: Buffer, at: number, text: Buffer, from: number): number {
    const t = this.template;
    const head = copyBytes(t, 0, t.length - UUID_TEXT, out, at);
    return copyBytes(text, from, from + UUID_TEXT, out, head);
  }
}

const TRACE_ID = new IdAttribute('opik.trace_id');
const SPAN_ID = new IdAttribute('opik.span_id');
const PARENT_ID = new IdAttribute('opik.parent_span_id');

/** Whether the span has an attribute `assignIds` reads (so it may state ids). */
function statesIds(bytes: Buffer, start: number, end: number, c: FieldCursor): boolean {
  c.reset(bytes, start, end);
  const key = new FieldCursor();
  while (c.next()) {
    if (c.tag !== SPAN.attributes) continue;
    key.reset(bytes, c.start, c.end);
    while (key.next()) {
      if (key.tag !== KEY_VALUE.key) continue;
      for (const k of DECIDING_KEYS) if (bytesEqual(bytes, key.start, key.end, k)) return true;
    }
  }
  return false;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function isUuidText(text: string): boolean {
  return UUID_RE.test(text);
}

/** The millisecond timestamp in the first 12 hex digits of UUID text at `text[at]`. */
function textTimestamp(text: Buffer, at: number): number {
  return Number.parseInt(
    text.toString('latin1', at, at + 8) + text.toString('latin1', at + 9, at + 13),
    16,
  );
}

/**
 * Open addressing over ids of one size sitting in `bytes`: `slot(at)` numbers distinct ids in
 * order of first appearance; `add`/`find` map an id to a value (a span's index).
 */
class IdTable {
  private readonly table: Int32Array;
  private readonly mask: number;
  private readonly keys: Int32Array;
  private readonly values: Int32Array;
  private size = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly width: 8 | 16,
    capacity: number,
  ) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.table = new Int32Array(cap);
    this.mask = cap - 1;
    this.keys = new Int32Array(Math.max(1, capacity));
    this.values = new Int32Array(Math.max(1, capacity));
  }

  /** Position of the id with slot number `slot`. */
  at(slot: number): number {
    return this.keys[slot]!;
  }

  /** The slot number of the id at `bytes[at]`, a new one for an id not seen before. */
  slot(at: number): number {
    let h = this.hash(at);
    for (;;) {
      const e = this.table[h]!;
      if (e === 0) {
        const slot = this.size++;
        this.keys[slot] = at;
        this.values[slot] = slot;
        this.table[h] = slot + 1;
        return slot;
      }
      if (this.same(this.keys[e - 1]!, at)) return e - 1;
      h = (h + 1) & this.mask;
    }
  }

  /** Maps the id at `bytes[at]` to `value` (the first mapping of an id stays). */
  add(at: number, value: number): void {
    const before = this.size;
    const slot = this.slot(at);
    if (slot === before) this.values[slot] = value;
  }

  /** The value of the id at `bytes[at]` when `accept` takes it, else -1. */
  find(at: number, accept: (value: number) => boolean): number {
    let h = this.hash(at);
    for (;;) {
      const e = this.table[h]!;
      if (e === 0) return -1;
      if (this.same(this.keys[e - 1]!, at)) {
        const v = this.values[e - 1]!;
        return accept(v) ? v : -1;
      }
      h = (h + 1) & this.mask;
    }
  }

  private hash(at: number): number {
    const b = this.bytes;
    const x =
      (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) ^
      (b[at + 4]! | (b[at + 5]! << 8) | (b[at + 6]! << 16) | (b[at + 7]! << 24));
    return (Math.imul(x, 0x9e3779b1) >>> 0) & this.mask;
  }

  private same(a: number, b: number): boolean {
    const bytes = this.bytes;
    for (let i = 0; i < this.width; i++) if (bytes[a + i] !== bytes[b + i]) return false;
    return true;
  }
}
