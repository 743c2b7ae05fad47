/**
 * The opik exporter's mapping (`mapping.ts`, `span-fields.ts`, `otlp-encoding.ts`) for one span
 * of a batch in its wire form, without decoding it: its attributes are sorted by key where they
 * sit, and the OTLP span sent to Opik is written by copying the span's own fields and writing
 * the attributes Opik's OTLP mapping needs (`wireAttributes`) from the bytes of the original
 * ones. It yields exactly the bytes' decoded equivalent of what the mapping sends, field by field
 * (test: test/integration/opik/wire-parity.test.ts).
 *
 * It takes the spans the mapping treats plainly: a top of a trace only without events or an
 * ERROR status (its trace row is made from the same facts, `wireTexts`), no `opik.*` attribute
 * but the ids `assignIds` wrote, no key twice, no key that JSON objects order or keep apart
 * (`__proto__`, digits), and values of the kinds the mapping passes on as they are. For any
 * other span `classifyWireSpan` says no, and the span goes through the mapping itself, decoded.
 */
import type { ByteOut } from '../../otlp/byte-out.js';
import { latin1Text, utf8Text } from '../../otlp/proto-reader.js';
import { ANY_VALUE, EVENT, KEY_VALUE, SPAN, STATUS } from '../../otlp/proto-tags.js';
import { decodeAt } from '../../otlp/proto-to-pdata.js';
import { ascii, bytesEqual, FieldCursor, fixed64Ms } from '../../otlp/wire-fields.js';
import { StatusCode } from '../../pdata/traces.js';
import type { SpanRef } from './mapping.js';
import type { OpikSpanType } from './opik-types.js';
import type { OpikEncoding } from './opik-version.js';
import { KEYS, REWRITTEN_PROVIDERS } from './otlp-encoding.js';
import { TYPE_BY_OPERATION, usageKey } from './span-fields.js';
import { anyValueToJson, parsesAlike } from './values.js';
import { type AssignedIds, UUID_TEXT } from './wire-ids.js';

const NO_BYTES = Buffer.alloc(0);

/**
 * What the mapping needs of one span (its `SpanRef`), and how to write its OTLP form; filled in
 * by `classifyWireSpan`. The Opik span id and parent id become strings only when asked for.
 */
export class WireSpan implements SpanRef {
  trace_id = '';
  project_name = '';
  name = '';
  startMs = 0;
  hasUsage = false;
  /** An ERROR status or an `exception` event (Opik stores error info). */
  error = false;
  type: OpikSpanType = 'general';
  /** Why Opik's OTLP mapping cannot write this span in any version. */
  blocker: string | undefined = undefined;
  /** The provider as sent (some Opik versions rewrite some providers). */
  provider: string | undefined = undefined;
  /** Where the start time sits when the span has no end (the end sent is the start). */
  endFromStart = -1;
  /** The end in milliseconds (its start when it has none). */
  endMs = 0;
  /** False for the top of an Opik trace. */
  hasParent = true;
  /** Its attributes: rows `[rowsFrom, rowsTo)` of the pool it was classified into. */
  rows: RowPool | undefined = undefined;
  rowsFrom = 0;
  rowsTo = 0;
  llm: WireLlm | undefined = undefined;
  // Where the UUID text (36 bytes) of its Opik ids sits: in the batch's bytes, or the ids
  // step's appendix.
  traceText: Buffer = NO_BYTES;
  traceAt = 0;
  spanText: Buffer = NO_BYTES;
  spanAt = 0;
  parentText: Buffer = NO_BYTES;
  parentAt = 0;

  get id(): string {
    return latin1Text(this.spanText, this.spanAt, this.spanAt + UUID_TEXT);
  }

  get parent_span_id(): string | undefined {
    if (!this.hasParent) return undefined;
    return latin1Text(this.parentText, this.parentAt, this.parentAt + UUID_TEXT);
  }
}

/** Span `index` of a batch whose ids `assignIdsWire` keeps beside it (`AssignedIds`). */
export interface Assigned {
  readonly ids: AssignedIds;
  readonly index: number;
}

interface WireLlm {
  /** The model's value and the key it goes under. */
  readonly model?: { readonly row: number; readonly key: Uint8Array };
  readonly provider?: number;
  readonly usage: ReadonlyArray<{ readonly key: Uint8Array; readonly value: number }>;
  readonly cost?: number;
  /** A request model the response model differs from (kept in metadata). */
  readonly otherRequestModel?: number;
  /** A total that is not prompt + completion (kept in metadata). */
  readonly otherTotal?: number;
}

// An attribute row: its class, its key, its value (the AnyValue's one field: its tag and content),
// and the AnyValue message's content.
const ROW = 8;
const R_CLASS = 0;
const R_KEY = 1;
const R_KEY_END = 2;
const R_VALUE_TAG = 3;
const R_VALUE = 4;
const R_VALUE_END = 5;
const R_ANY = 6;
const R_ANY_END = 7;

// Attribute classes (span-fields.ts): consumed and not stored, the fields Opik has, metadata.
const C_SKIP = 0;
const C_INPUT = 1;
const C_OUTPUT = 2;
const C_NATIVE = 3;
const C_THREAD = 4;
const C_EXTRA = 5;
/** One of the Opik ids `assignIds` wrote (written again at the end, from `WireSpan.ids`). */
const C_ID = 6;
const C_REQUEST_MODEL = 9;
const C_RESPONSE_MODEL = 10;
const C_PROVIDER = 11;
const C_SYSTEM = 12;
const C_USAGE = 13;

const K = {
  input: ascii('input.value'),
  inputMime: ascii('input.mime_type'),
  output: ascii('output.value'),
  outputMime: ascii('output.mime_type'),
  conversation: ascii('gen_ai.conversation.id'),
  operation: ascii('gen_ai.operation.name'),
  toolName: ascii('gen_ai.tool.name'),
  toolCall: ascii('gen_ai.tool.call.id'),
  requestModel: ascii('gen_ai.request.model'),
  responseModel: ascii('gen_ai.response.model'),
  providerName: ascii('gen_ai.provider.name'),
  system: ascii('gen_ai.system'),
  usagePrefix: ascii('gen_ai.usage.'),
  cost: ascii('gen_ai.usage.cost'),
  traceId: ascii('opik.trace_id'),
  entityType: ascii('opik.entity_type'),
  spanId: ascii('opik.span_id'),
  parentId: ascii('opik.parent_span_id'),
  opik: ascii('opik.'),
  serviceName: ascii('service.name'),
  scopeName: ascii('otel.scope.name'),
  proto: ascii('__proto__'),
  exception: ascii('exception'),
  threadKey: ascii('thread_id'),
  opikTags: ascii('opik.tags'),
  genAiSystem: ascii('gen_ai.system'),
  metadataPrefix: ascii('opik.metadata.'),
};
const USAGE_KEY = new Map<string, Uint8Array>();
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function startsWith(buf: Uint8Array, start: number, end: number, prefix: Uint8Array): boolean {
  if (end - start < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[start + i] !== prefix[i]) return false;
  return true;
}

/** Reused between calls: `classifyWireSpan` is synchronous. */
const span = new FieldCursor();
const inner = new FieldCursor();
const value = new FieldCursor();
let rows = new Int32Array(64 * ROW);
let hashes = new Int32Array(64);
const IDS = [-1, -1, -1];

/**
 * The text of the last bytes it decoded, given again without decoding when the next span has the
 * same bytes there: spans of one trace come together, under one parent, often with one name.
 */
class TextSlot {
  private buf: Buffer | undefined;
  private start = 0;
  private end = 0;
  private last = '';

  text(bytes: Buffer, start: number, end: number): string {
    const n = end - start;
    if (bytes === this.buf && n === this.end - this.start) {
      let same = true;
      for (let i = 0; i < n; i++) {
        if (bytes[start + i] !== bytes[this.start + i]) {
          same = false;
          break;
        }
      }
      if (same) return this.last;
    }
    this.buf = bytes;
    this.start = start;
    this.end = end;
    this.last = n > 0 ? utf8Text(bytes, start, end) : '';
    return this.last;
  }
}

const LAST_TRACE = new TextSlot();
const LAST_NAME = new TextSlot();

/**
 * Where the attribute rows of a batch's spans are kept (one array, grown as needed), so that a
 * span's facts hold two numbers instead of an array of their own.
 */
export class RowPool {
  data = new Int32Array(1024 * ROW);
  used = 0;

  add(from: Int32Array, count: number): number {
    const at = this.used;
    const n = count * ROW;
    if (at + n > this.data.length) {
      let size = this.data.length * 2;
      while (size < at + n) size *= 2;
      const next = new Int32Array(size);
      next.set(this.data.subarray(0, at));
      this.data = next;
    }
    const data = this.data;
    for (let i = 0; i < n; i++) data[at + i] = from[i]!;
    this.used = at + n;
    return at;
  }
}

/**
 * Sorts span `[start, end)` of `bytes` (whose Opik ids `assignIds` wrote into it, or kept beside
 * it: `assigned`) and fills `into` with its facts: `ok`; `decode` when the mapping must see it
 * decoded (see the module comment), `received` for an Opik object the `opik` receiver took in
 * (`received-objects.ts`: its batch is mapped decoded).
 */
export function classifyWireSpan(
  bytes: Buffer,
  start: number,
  end: number,
  pool: RowPool,
  projectName: string,
  into: WireSpan,
  assigned?: Assigned,
): 'ok' | 'decode' | 'received' {
  let count = 0;
  let nameStart = 0;
  let nameEnd = 0;
  let startAt = -1;
  let endZero = true;
  let endAt = -1;
  let error = false;
  let statusError = false;
  let events = false;
  span.reset(bytes, start, end);
  while (span.next()) {
    const tag = span.tag;
    if (tag === SPAN.attributes) {
      if ((count + 1) * ROW > rows.length) {
        const next = new Int32Array(rows.length * 2);
        next.set(rows);
        rows = next;
      }
      readAttribute(bytes, span.start, span.end, count * ROW);
      count++;
    } else if (tag === SPAN.name) {
      nameStart = span.start;
      nameEnd = span.end;
    } else if (tag === SPAN.startTimeUnixNano) startAt = span.start;
    else if (tag === SPAN.endTimeUnixNano) {
      endZero = true;
      endAt = span.start;
      for (let i = span.start; i < span.end; i++) if (bytes[i] !== 0) endZero = false;
    } else if (tag === SPAN.status) {
      inner.reset(bytes, span.start, span.end);
      while (inner.next()) {
        if (inner.tag === STATUS.code) statusError = inner.varint === StatusCode.ERROR;
      }
    } else if (tag === SPAN.events) {
      events = true;
      inner.reset(bytes, span.start, span.end);
      while (inner.next()) {
        if (inner.tag === EVENT.name && bytesEqual(bytes, inner.start, inner.end, K.exception)) {
          error = true;
        }
      }
    }
  }

  // Sort the attributes by key, as span-fields.ts does.
  let operation = -1;
  let idRows = 0;
  const ids = IDS;
  ids[0] = ids[1] = ids[2] = -1;
  // Set when the mapping must see the span decoded; the attributes are read to the end still, as
  // an Opik object the `opik` receiver took in goes another way whatever else it holds.
  let decode = false;
  if (count > hashes.length) hashes = new Int32Array(count * 2);
  for (let a = 0; a < count; a++) {
    const o = a * ROW;
    const ks = rows[o + R_KEY]!;
    const ke = rows[o + R_KEY_END]!;
    const h = keyHash(bytes, ks, ke);
    // A key twice: the mapping keeps the first of some and the last of others.
    for (let b = 0; b < a; b++) {
      if (hashes[b] === h && sameKey(bytes, b * ROW, o)) decode = true;
    }
    hashes[a] = h;
    const code = keyCode(bytes, ks, ke, h);
    const tag = rows[o + R_VALUE_TAG]!;
    const isString = tag === ANY_VALUE.stringValue;
    const isNull = tag === 0;
    let cls = C_EXTRA;
    switch (code) {
      case K_EXTRA:
        break;
      case K_TRACE_ID:
      case K_SPAN_ID:
      case K_PARENT_ID:
        if (!isString || rows[o + R_VALUE_END]! - rows[o + R_VALUE]! !== UUID_TEXT) {
          decode = true;
          break;
        }
        ids[code - K_TRACE_ID] = a;
        idRows++;
        cls = C_ID;
        break;
      case K_ENTITY:
        return 'received';
      case K_INPUT:
      case K_OUTPUT:
        if (!isString && !isNull) decode = true;
        cls = isNull ? C_SKIP : code === K_INPUT ? C_INPUT : C_OUTPUT;
        break;
      case K_MIME:
        cls = C_SKIP;
        break;
      case K_CONVERSATION:
        if (!isString && !isNull) decode = true;
        cls = isNull ? C_SKIP : C_THREAD;
        break;
      case K_OPERATION:
        if (isString) {
          cls = C_NATIVE;
          operation = a;
        }
        break;
      case K_TOOL:
        if (isString) cls = C_NATIVE;
        break;
      case K_REQUEST_MODEL:
        cls = C_REQUEST_MODEL;
        break;
      case K_RESPONSE_MODEL:
        cls = C_RESPONSE_MODEL;
        break;
      case K_PROVIDER:
        cls = C_PROVIDER;
        break;
      case K_SYSTEM:
        cls = C_SYSTEM;
        break;
      case K_USAGE:
        cls = C_USAGE;
        break;
      default:
        // Other `opik.*` keys, and keys JSON objects order first (digits), never keep
        // (`__proto__`) or that the context sets: the mapping's own work.
        decode = true;
    }
    rows[o + R_CLASS] = cls;
  }
  if (decode) return 'decode';
  error ||= statusError;
  // Ids kept beside the batch are never in its bytes too. The top of a trace stands for its trace
  // row, which here carries neither error info nor events: the mapping writes those.
  const hasParent = assigned ? assigned.ids.hasParent(assigned.index) : ids[2]! >= 0;
  if (assigned ? idRows > 0 : idRows !== (hasParent ? 3 : 2) || ids[0]! < 0 || ids[1]! < 0) {
    return 'decode';
  }
  if (!hasParent && (events || statusError)) return 'decode';

  const type = operation >= 0 ? operationType(bytes, operation) : 'general';
  let llm: WireLlm | undefined;
  let blocker: string | undefined;
  let provider: string | undefined;
  if (type === 'llm') {
    const facts = llmFacts(bytes, count);
    if (!facts) return 'decode';
    llm = facts;
    if (llm.provider !== undefined) provider = rowText(bytes, llm.provider, R_VALUE);
    if (
      llm.model === undefined &&
      llm.provider === undefined &&
      llm.cost === undefined &&
      llm.usage.length === 0
    ) {
      blocker = 'an llm span without model, provider or usage';
    }
  } else {
    // Outside llm spans these keys are metadata like any other.
    for (let a = 0; a < count; a++) {
      const cls = rows[a * ROW + R_CLASS]!;
      if (cls >= C_REQUEST_MODEL) rows[a * ROW + R_CLASS] = C_EXTRA;
    }
    if (type === 'tool' || type === 'guardrail') {
      blocker = `no OTLP attribute makes Opik set type ${type}`;
    }
  }
  if (blocker === undefined) {
    for (let a = 0; a < count; a++) {
      const cls = rows[a * ROW + R_CLASS]!;
      if (
        (cls === C_INPUT || cls === C_OUTPUT || cls === C_THREAD || cls === C_NATIVE) &&
        !textParsesAlike(bytes, a)
      ) {
        blocker = 'text that looks like JSON but is not, which Opik’s reader may parse differently';
        break;
      }
    }
  }
  const rowsFrom = pool.add(rows, count);
  if (assigned) {
    const { ids: a, index } = assigned;
    into.traceText = a.traceText;
    into.traceAt = a.traceOf[index]! * UUID_TEXT;
    into.spanText = a.spanText;
    into.spanAt = index * UUID_TEXT;
    into.parentText = a.parentText;
    into.parentAt = index * UUID_TEXT;
    into.trace_id = a.traceId(index);
  } else {
    into.traceText = into.spanText = into.parentText = bytes;
    into.traceAt = rows[ids[0]! * ROW + R_VALUE]!;
    into.spanAt = rows[ids[1]! * ROW + R_VALUE]!;
    into.parentAt = hasParent ? rows[ids[2]! * ROW + R_VALUE]! : 0;
    into.trace_id = LAST_TRACE.text(bytes, into.traceAt, into.traceAt + UUID_TEXT);
  }
  into.project_name = projectName;
  into.name = LAST_NAME.text(bytes, nameStart, nameEnd);
  into.startMs = startAt < 0 ? 0 : fixed64Ms(bytes, startAt);
  into.hasUsage = llm !== undefined && llm.usage.length > 0;
  into.error = error;
  into.type = type;
  into.blocker = blocker;
  into.provider = provider;
  into.endFromStart = endZero && startAt >= 0 ? startAt : -1;
  into.endMs = endZero ? into.startMs : fixed64Ms(bytes, endAt);
  into.hasParent = hasParent;
  into.rows = pool;
  into.rowsFrom = rowsFrom;
  into.rowsTo = rowsFrom + count * ROW;
  into.llm = llm;
  return 'ok';
}

/** The span type `gen_ai.operation.name` (row `a`, a string) gives (`TYPE_BY_OPERATION`). */
function operationType(bytes: Buffer, a: number): OpikSpanType {
  const o = a * ROW;
  for (const [name, type] of OPERATIONS) {
    if (bytesEqual(bytes, rows[o + R_VALUE]!, rows[o + R_VALUE_END]!, name)) return type;
  }
  return 'general';
}

const OPERATIONS = [...TYPE_BY_OPERATION].map(([name, type]) => [ascii(name), type] as const);

// What a key means to the mapping (span-fields.ts): found by hash, then compared.
const K_EXTRA = 0;
const K_TRACE_ID = 1;
const K_SPAN_ID = 2;
const K_PARENT_ID = 3;
const K_ENTITY = 4;
const K_INPUT = 5;
const K_OUTPUT = 6;
const K_MIME = 7;
const K_CONVERSATION = 8;
const K_OPERATION = 9;
const K_TOOL = 10;
const K_REQUEST_MODEL = 11;
const K_RESPONSE_MODEL = 12;
const K_PROVIDER = 13;
const K_SYSTEM = 14;
const K_USAGE = 15;
const K_DECODE = 16;

const KNOWN_KEYS = new Map<number, { readonly key: Uint8Array; readonly code: number }[]>();
for (const [key, code] of [
  ['opik.trace_id', K_TRACE_ID],
  ['opik.span_id', K_SPAN_ID],
  ['opik.parent_span_id', K_PARENT_ID],
  ['opik.entity_type', K_ENTITY],
  ['input.value', K_INPUT],
  ['output.value', K_OUTPUT],
  ['input.mime_type', K_MIME],
  ['output.mime_type', K_MIME],
  ['gen_ai.conversation.id', K_CONVERSATION],
  ['gen_ai.operation.name', K_OPERATION],
  ['gen_ai.tool.name', K_TOOL],
  ['gen_ai.tool.call.id', K_TOOL],
  ['gen_ai.request.model', K_REQUEST_MODEL],
  ['gen_ai.response.model', K_RESPONSE_MODEL],
  ['gen_ai.provider.name', K_PROVIDER],
  ['gen_ai.system', K_SYSTEM],
  ['service.name', K_DECODE],
  ['otel.scope.name', K_DECODE],
  ['__proto__', K_DECODE],
] as const) {
  const bytes = ascii(key);
  const h = keyHash(bytes, 0, bytes.length);
  const list = KNOWN_KEYS.get(h) ?? [];
  list.push({ key: bytes, code });
  KNOWN_KEYS.set(h, list);
}

/** FNV-1a of `bytes[start, end)`. */
function keyHash(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h;
}

function keyCode(bytes: Buffer, start: number, end: number, hash: number): number {
  const known = KNOWN_KEYS.get(hash);
  if (known) for (const k of known) if (bytesEqual(bytes, start, end, k.key)) return k.code;
  const first = bytes[start];
  if (first === undefined) return K_EXTRA;
  if (first >= 0x30 && first <= 0x39) return K_DECODE;
  if (first === 0x6f && startsWith(bytes, start, end, K.opik)) return K_DECODE;
  if (first === 0x67 && startsWith(bytes, start, end, K.usagePrefix)) return K_USAGE;
  return K_EXTRA;
}

/** The llm fields (span-fields.ts `llmFields`); `undefined` when one needs the mapping itself. */
function llmFacts(bytes: Buffer, count: number): WireLlm | undefined {
  let request = -1;
  let response = -1;
  let provider = -1;
  let system = -1;
  let cost: number | undefined;
  const usage: { key: Uint8Array; value: number }[] = [];
  const names: string[] = [];
  let prompt: number | undefined;
  let completion: number | undefined;
  let total: number | undefined;
  for (let a = 0; a < count; a++) {
    const o = a * ROW;
    const cls = rows[o + R_CLASS]!;
    if (cls < C_REQUEST_MODEL) continue;
    const tag = rows[o + R_VALUE_TAG]!;
    if (cls === C_USAGE) {
      if (bytesEqual(bytes, rows[o + R_KEY]!, rows[o + R_KEY_END]!, K.cost)) {
        cost = costValue(bytes, o);
        if (cost === undefined) return undefined;
        continue;
      }
      const n = usageValue(bytes, o);
      if (n === undefined) return undefined;
      const suffix = utf8Text(bytes, rows[o + R_KEY]! + K.usagePrefix.length, rows[o + R_KEY_END]!);
      const name = usageKey(suffix);
      if (names.includes(name) || /^\d/.test(name) || name === '__proto__' || name === '') {
        return undefined;
      }
      names.push(name);
      usage.push({ key: usageAttributeKey(name), value: n });
      if (name === 'prompt_tokens') prompt = n;
      else if (name === 'completion_tokens') completion = n;
      else if (name === 'total_tokens') total = n;
      continue;
    }
    // Models and providers: text; a value of another kind the mapping writes as JSON text.
    if (tag === 0) continue;
    if (tag !== ANY_VALUE.stringValue) return undefined;
    if (cls === C_REQUEST_MODEL) request = a;
    else if (cls === C_RESPONSE_MODEL) response = a;
    else if (cls === C_PROVIDER) provider = a;
    else system = a;
  }
  let otherTotal: number | undefined;
  if (prompt !== undefined && completion !== undefined) {
    if (total !== undefined && total !== prompt + completion) otherTotal = total;
    const sum = prompt + completion;
    const at = names.indexOf('total_tokens');
    if (at >= 0) usage[at] = { key: usage[at]!.key, value: sum };
    else usage.push({ key: usageAttributeKey('total_tokens'), value: sum });
  }
  const differs =
    response >= 0 &&
    request >= 0 &&
    !sameBytes(bytes, response * ROW + R_VALUE, request * ROW + R_VALUE);
  const modelRow = response >= 0 ? response : request;
  return {
    model:
      modelRow < 0
        ? undefined
        : { row: modelRow, key: response >= 0 ? K.responseModel : K.requestModel },
    provider: provider >= 0 ? provider : system >= 0 ? system : undefined,
    usage,
    cost,
    otherRequestModel: differs ? request : undefined,
    otherTotal,
  };
}

function usageAttributeKey(name: string): Uint8Array {
  let key = USAGE_KEY.get(name);
  if (!key) {
    key = Buffer.from(`gen_ai.usage.${name}`, 'utf8');
    if (USAGE_KEY.size < 1000) USAGE_KEY.set(name, key);
  }
  return key;
}

/** `usageInt` (limits.ts) for the kinds the fast path takes: an int or an integral double. */
function usageValue(bytes: Buffer, o: number): number | undefined {
  const tag = rows[o + R_VALUE_TAG]!;
  let n: number | undefined;
  if (tag === ANY_VALUE.intValue) n = smallInt(bytes, rows[o + R_VALUE]!, rows[o + R_VALUE_END]!);
  else if (tag === ANY_VALUE.doubleValue) {
    const d = bytes.readDoubleLE(rows[o + R_VALUE]!);
    if (Number.isInteger(d)) n = d;
  }
  return n !== undefined && n >= INT32_MIN && n <= INT32_MAX ? n : undefined;
}

/** `costNumber` (limits.ts) for an int or a double. */
function costValue(bytes: Buffer, o: number): number | undefined {
  const tag = rows[o + R_VALUE_TAG]!;
  let n: number | undefined;
  if (tag === ANY_VALUE.doubleValue) n = bytes.readDoubleLE(rows[o + R_VALUE]!);
  else if (tag === ANY_VALUE.intValue)
    n = smallInt(bytes, rows[o + R_VALUE]!, rows[o + R_VALUE_END]!);
  return n !== undefined && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * A varint int64 that fits in a double exactly with room to spare (|v| < 2^31 here, or a small
 * non-negative one); `undefined` for anything else (the mapping decides those).
 */
function smallInt(bytes: Uint8Array, start: number, end: number): number | undefined {
  if (end - start <= 4) {
    let v = 0;
    for (let p = start, shift = 0; p < end; p++, shift += 7) v += (bytes[p]! & 0x7f) * 2 ** shift;
    return v;
  }
  if (end - start === 10) {
    // A negative int64: 2^64 - |v|; take those down to -2^31.
    const big = decodeVarint64(bytes, start, end);
    return big >= -(2n ** 31n) && big < 0n ? Number(big) : undefined;
  }
  return undefined;
}

function decodeVarint64(bytes: Uint8Array, start: number, end: number): bigint {
  let v = 0n;
  for (let p = start, shift = 0n; p < end; p++, shift += 7n) v |= BigInt(bytes[p]! & 0x7f) << shift;
  return BigInt.asIntN(64, v);
}

/** Reads one `KeyValue` (its content `[start, end)`) into the row at `o`. */
function readAttribute(bytes: Buffer, start: number, end: number, o: number): void {
  rows[o + R_KEY] = 0;
  rows[o + R_KEY_END] = 0;
  rows[o + R_VALUE_TAG] = 0;
  rows[o + R_VALUE] = 0;
  rows[o + R_VALUE_END] = 0;
  rows[o + R_ANY] = 0;
  rows[o + R_ANY_END] = 0;
  inner.reset(bytes, start, end);
  while (inner.next()) {
    if (inner.tag === KEY_VALUE.key) {
      rows[o + R_KEY] = inner.start;
      rows[o + R_KEY_END] = inner.end;
    } else if (inner.tag === KEY_VALUE.value) {
      rows[o + R_ANY] = inner.start;
      rows[o + R_ANY_END] = inner.end;
      value.reset(bytes, inner.start, inner.end);
      if (value.next()) {
        rows[o + R_VALUE_TAG] = value.tag;
        rows[o + R_VALUE] = value.start;
        rows[o + R_VALUE_END] = value.end;
      }
    }
  }
}

function sameKey(bytes: Uint8Array, a: number, b: number): boolean {
  return sameBytes(bytes, a + R_KEY, b + R_KEY);
}

/** Whether the byte ranges in rows[a], rows[a+1] and rows[b], rows[b+1] hold the same bytes. */
function sameBytes(bytes: Uint8Array, a: number, b: number): boolean {
  const as = rows[a]!;
  const bs = rows[b]!;
  const n = rows[a + 1]! - as;
  if (n !== rows[b + 1]! - bs) return false;
  for (let i = 0; i < n; i++) if (bytes[as + i] !== bytes[bs + i]) return false;
  return true;
}

function rowText(bytes: Buffer, a: number, field: number): string {
  const o = a * ROW + field;
  return utf8Text(bytes, rows[o]!, rows[o + 1]!);
}

function textParsesAlike(bytes: Buffer, a: number): boolean {
  const o = a * ROW;
  const first = bytes[rows[o + R_VALUE]!];
  if (rows[o + R_VALUE]! === rows[o + R_VALUE_END]!) return true;
  if (first !== 0x22 && first !== 0x5b && first !== 0x7b) return true;
  return parsesAlike(rowText(bytes, a, R_VALUE));
}

/**
 * Why Opik's OTLP mapping in version `encoding` cannot write the span (`otlpBlocker`), if it
 * cannot.
 */
export function wireBlocker(s: WireSpan, encoding: OpikEncoding): string | undefined {
  if (s.blocker !== undefined) return s.blocker;
  if (
    s.provider !== undefined &&
    REWRITTEN_PROVIDERS[encoding].has(s.provider.trim().toLowerCase())
  ) {
    return `Opik ${encoding} rewrites provider ${JSON.stringify(s.provider)} on its OTLP path`;
  }
  return undefined;
}

/** Keys of the attributes written, per Opik version. */
interface WireKeys {
  readonly input: Uint8Array;
  readonly output: Uint8Array;
  /** Put before a native metadata key (2.2's stripped prefix). */
  readonly metadataPrefix: Uint8Array;
  readonly metadata: Uint8Array;
}

const WIRE_KEYS: Record<OpikEncoding, WireKeys> = {
  '2.1': keysOf('2.1'),
  '2.2': keysOf('2.2'),
};

function keysOf(encoding: OpikEncoding): WireKeys {
  const k = KEYS[encoding];
  return {
    input: ascii(k.input),
    output: ascii(k.output),
    metadataPrefix: ascii(k.metadata('')),
    metadata: ascii(k.metadata('opik.metadata')),
  };
}

/**
 * Writes the content of the span message sent to Opik over OTLP (`mapping.ts` `otlp`): the span's
 * own fields but its attributes, the end (its start when it has none), then the attributes
 * `wireAttributes` writes, in its order. `context` is the JSON text (without braces) of the
 * resource and scope facts that open the span's metadata.
 */
export function writeWireSpan(
  out: ByteOut,
  json: ByteOut,
  bytes: Buffer,
  start: number,
  end: number,
  s: WireSpan,
  encoding: OpikEncoding,
  context: Uint8Array,
): void {
  let run = start;
  span.reset(bytes, start, end);
  while (span.next()) {
    if (span.tag !== SPAN.attributes) continue;
    if (span.fieldStart > run) out.copy(bytes, run, span.fieldStart);
    run = span.end;
  }
  if (end > run) out.copy(bytes, run, end);
  if (s.endFromStart >= 0) {
    out.varint(SPAN.endTimeUnixNano);
    out.copy(bytes, s.endFromStart, s.endFromStart + 8);
  }
  const keys = WIRE_KEYS[encoding];
  const r = s.rows!.data;
  const from = s.rowsFrom;
  const to = s.rowsTo;
  for (let o = from; o < to; o += ROW) {
    if (r[o + R_CLASS] === C_INPUT) stringAttribute(out, keys.input, NO_BYTES, 0, 0, bytes, r, o);
  }
  for (let o = from; o < to; o += ROW) {
    if (r[o + R_CLASS] === C_OUTPUT) stringAttribute(out, keys.output, NO_BYTES, 0, 0, bytes, r, o);
  }
  for (let o = from; o < to; o += ROW) {
    if (r[o + R_CLASS] === C_NATIVE) {
      stringAttribute(
        out,
        keys.metadataPrefix,
        bytes,
        r[o + R_KEY]!,
        r[o + R_KEY_END]!,
        bytes,
        r,
        o,
      );
    }
  }
  for (let o = from; o < to; o += ROW) {
    if (r[o + R_CLASS] === C_THREAD) stringAttribute(out, K.threadKey, NO_BYTES, 0, 0, bytes, r, o);
  }
  // The metadata Opik has no field for, as one JSON object (`extra`).
  const fields = writeExtra(json, bytes, s, context);
  if (fields > 0) textAttribute(out, keys.metadata, json.buf, 0, json.pos);
  const llm = s.llm;
  if (llm) {
    if (llm.model) {
      stringAttribute(out, llm.model.key, NO_BYTES, 0, 0, bytes, r, from + llm.model.row * ROW);
    }
    if (llm.provider !== undefined) {
      stringAttribute(out, K.genAiSystem, NO_BYTES, 0, 0, bytes, r, from + llm.provider * ROW);
    }
    for (const u of llm.usage) intAttribute(out, u.key, u.value);
    if (llm.cost !== undefined) doubleAttribute(out, K.cost, llm.cost);
  }
  textAttribute(out, K.traceId, s.traceText, s.traceAt, s.traceAt + UUID_TEXT);
  textAttribute(out, K.spanId, s.spanText, s.spanAt, s.spanAt + UUID_TEXT);
  if (s.hasParent) textAttribute(out, K.parentId, s.parentText, s.parentAt, s.parentAt + UUID_TEXT);
}

/**
 * Writes `extra` (span-fields.ts) as JSON text to `json`: `context`, then the attributes Opik has
 * no field for, then what the llm fields set aside. Returns how many members it has.
 */
function writeExtra(json: ByteOut, bytes: Buffer, s: WireSpan, context: Uint8Array): number {
  const r = s.rows!.data;
  const from = s.rowsFrom;
  const to = s.rowsTo;
  json.pos = 0;
  json.byte(0x7b);
  json.bytes(context);
  let fields = context.length > 0 ? 1 : 0;
  for (let o = from; o < to; o += ROW) {
    if (r[o + R_CLASS] !== C_EXTRA) continue;
    if (fields++ > 0) json.byte(0x2c);
    json.byte(0x22);
    json.jsonText(bytes, r[o + R_KEY]!, r[o + R_KEY_END]!);
    json.byte(0x22);
    json.byte(0x3a);
    jsonValue(json, bytes, r, o);
  }
  const llm = s.llm;
  if (llm?.otherRequestModel !== undefined) {
    const o = from + llm.otherRequestModel * ROW;
    json.ascii(`${fields++ > 0 ? ',' : ''}"gen_ai.request.model":"`);
    json.jsonText(bytes, r[o + R_VALUE]!, r[o + R_VALUE_END]!);
    json.byte(0x22);
  }
  if (llm?.otherTotal !== undefined) {
    json.ascii(`${fields++ > 0 ? ',' : ''}"gen_ai.usage.total_tokens":${llm.otherTotal}`);
  }
  json.byte(0x7d);
  return fields;
}

/**
 * The texts of a span's Opik fields (span-fields.ts: input, output, native metadata, thread) and
 * its `extra` as JSON text, for the trace row the top of a trace stands for.
 */
export function wireTexts(
  json: ByteOut,
  bytes: Buffer,
  s: WireSpan,
  context: Uint8Array,
): {
  input?: string;
  output?: string;
  nativeMetadata: [string, string][];
  threadId?: string;
  extraJson?: string;
} {
  const r = s.rows!.data;
  const text = (o: number) => utf8Text(bytes, r[o + R_VALUE]!, r[o + R_VALUE_END]!);
  const out: ReturnType<typeof wireTexts> = { nativeMetadata: [] };
  for (let o = s.rowsFrom; o < s.rowsTo; o += ROW) {
    const cls = r[o + R_CLASS];
    if (cls === C_INPUT) out.input = text(o);
    else if (cls === C_OUTPUT) out.output = text(o);
    else if (cls === C_THREAD) out.threadId = text(o);
    else if (cls === C_NATIVE) {
      out.nativeMetadata.push([utf8Text(bytes, r[o + R_KEY]!, r[o + R_KEY_END]!), text(o)]);
    }
  }
  if (writeExtra(json, bytes, s, context) > 0) out.extraJson = utf8Text(json.buf, 0, json.pos);
  return out;
}

/** A string attribute whose key is `key` then `src[ks, ke)`, and whose value is row `o`'s. */
function stringAttribute(
  out: ByteOut,
  key: Uint8Array,
  src: Uint8Array,
  ks: number,
  ke: number,
  bytes: Uint8Array,
  r: Int32Array,
  o: number,
): void {
  const vs = r[o + R_VALUE]!;
  textAttributeParts(out, key, src, ks, ke, bytes, vs, r[o + R_VALUE_END]!);
}

/** A string attribute `key` whose value is `src[start, end)`. */
function textAttribute(
  out: ByteOut,
  key: Uint8Array,
  src: Uint8Array,
  start: number,
  end: number,
): void {
  textAttributeParts(out, key, NO_BYTES, 0, 0, src, start, end);
}

/** A string attribute: key `key` + `keySrc[ks, ke)`, value `src[start, end)`. */
function textAttributeParts(
  out: ByteOut,
  key: Uint8Array,
  keySrc: Uint8Array,
  ks: number,
  ke: number,
  src: Uint8Array,
  start: number,
  end: number,
): void {
  const keyLength = key.length + ke - ks;
  const len = end - start;
  const any = 1 + varintLength(len) + len;
  const kv = 1 + varintLength(keyLength) + keyLength + 1 + varintLength(any) + any;
  out.varint(SPAN.attributes);
  out.varint(kv);
  out.varint(KEY_VALUE.key);
  out.varint(keyLength);
  out.bytes(key);
  if (ke > ks) out.copy(keySrc, ks, ke);
  out.varint(KEY_VALUE.value);
  out.varint(any);
  out.varint(ANY_VALUE.stringValue);
  out.varint(len);
  out.copy(src, start, end);
}

/** The JSON text `anyValueToJson` gives the attribute value in row `o`. */
function jsonValue(json: ByteOut, bytes: Buffer, r: Int32Array, o: number): void {
  const tag = r[o + R_VALUE_TAG]!;
  const start = r[o + R_VALUE]!;
  const end = r[o + R_VALUE_END]!;
  switch (tag) {
    case 0:
      json.ascii('null');
      return;
    case ANY_VALUE.stringValue:
      json.byte(0x22);
      json.jsonText(bytes, start, end);
      json.byte(0x22);
      return;
    case ANY_VALUE.boolValue:
      json.ascii(low32(bytes, start, end) !== 0 ? 'true' : 'false');
      return;
    case ANY_VALUE.intValue:
      if (end - start <= 4) {
        json.decimal(smallInt(bytes, start, end)!);
        return;
      }
      break;
    case ANY_VALUE.doubleValue: {
      const d = bytes.readDoubleLE(start);
      if (Number.isFinite(d)) {
        json.ascii(String(d));
        return;
      }
      break;
    }
  }
  json.utf8(
    JSON.stringify(anyValueToJson(decodeAt('value', bytes, r[o + R_ANY]!, r[o + R_ANY_END]!))),
  );
}

/** The low 32 bits of the varint `bytes[start, end)` (what a `bool` or `uint32` reads). */
function low32(bytes: Uint8Array, start: number, end: number): number {
  let v = 0;
  for (let p = start, shift = 0; p < end && shift < 35; p++, shift += 7)
    v |= (bytes[p]! & 0x7f) << shift;
  return v >>> 0;
}

function intAttribute(out: ByteOut, key: Uint8Array, n: number): void {
  const lo = n >>> 0;
  const hi = n < 0 ? 0xffff_ffff : 0;
  const size = hi !== 0 ? 10 : varintLength(lo);
  const any = 1 + size;
  const kv = 1 + varintLength(key.length) + key.length + 1 + varintLength(any) + any;
  out.varint(SPAN.attributes);
  out.varint(kv);
  out.varint(KEY_VALUE.key);
  out.varint(key.length);
  out.bytes(key);
  out.varint(KEY_VALUE.value);
  out.varint(any);
  out.varint(ANY_VALUE.intValue);
  out.varint64(lo, hi);
}

function doubleAttribute(out: ByteOut, key: Uint8Array, d: number): void {
  const any = 9;
  const kv = 1 + varintLength(key.length) + key.length + 1 + varintLength(any) + any;
  out.varint(SPAN.attributes);
  out.varint(kv);
  out.varint(KEY_VALUE.key);
  out.varint(key.length);
  out.bytes(key);
  out.varint(KEY_VALUE.value);
  out.varint(any);
  out.varint(ANY_VALUE.doubleValue);
  out.room(8);
  out.buf.writeDoubleLE(d, out.pos);
  out.pos += 8;
}

function varintLength(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x20_0000 ? 3 : v < 0x1000_0000 ? 4 : 5;
}
