import { unpaced } from '../../pipeline/pacer.js';
import { parseInstant } from './instant.js';
import { isObject, JsonNumber, type LosslessJson, type LosslessObject } from './lossless-json.js';
import { type OpikReply, opikError, validationError } from './replies.js';

export type EntityType = 'trace' | 'span';

/** An Opik `ErrorInfo` as sent (Opik does not validate inside it, so any part may be missing). */
export interface ReceivedErrorInfo {
  readonly exception_type?: string;
  readonly message?: string;
  readonly traceback?: string;
}

/**
 * One trace or span write (a create, or a PATCH's partial update) as Opik would store it: every
 * field read with Opik's rules, absent fields undefined. Ids are lowercase, as Opik stores them.
 */
export interface ReceivedItem {
  readonly entity: EntityType;
  readonly update: boolean;
  readonly id: string;
  readonly traceId?: string;
  readonly parentSpanId?: string;
  readonly projectName?: string;
  readonly projectId?: string;
  readonly name?: string;
  readonly type?: string;
  readonly startNs?: bigint;
  readonly endNs?: bigint;
  readonly lastUpdatedNs?: bigint;
  readonly input?: LosslessJson;
  readonly output?: LosslessJson;
  readonly metadata?: LosslessJson;
  readonly tags?: readonly string[];
  readonly tagsToAdd?: readonly string[];
  readonly tagsToRemove?: readonly string[];
  readonly model?: string;
  readonly provider?: string;
  /** In the order sent; values as the int32 Opik stores. */
  readonly usage?: ReadonlyArray<readonly [string, number]>;
  readonly totalEstimatedCost?: number;
  readonly totalEstimatedCostVersion?: string;
  readonly errorInfo?: ReceivedErrorInfo;
  readonly threadId?: string;
  readonly source?: string;
  readonly environment?: string;
  readonly ttft?: number;
}

/** What a request asks to write: an entity, created or updated, and for updates the path id. */
export interface WriteKind {
  readonly entity: EntityType;
  readonly update: boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type FieldReader = (value: LosslessJson, into: Mutable<ReceivedItem>) => string | undefined;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SOURCES = ['sdk', 'experiment', 'playground', 'optimization', 'evaluator'];
const SPAN_TYPES = ['general', 'tool', 'llm', 'guardrail'];
const INT32 = 2 ** 31;

/** The text of a JSON scalar, as Jackson coerces scalars into a `String` field. */
function text(v: LosslessJson): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof JsonNumber) return v.text;
  if (typeof v === 'boolean') return String(v);
  return undefined;
}

function number(v: LosslessJson): number | undefined {
  if (v instanceof JsonNumber) return v.value;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

const cannot = (type: string, v: LosslessJson) =>
  `Cannot deserialize value of type \`${type}\` from ${describe(v)}`;

function describe(v: LosslessJson): string {
  if (Array.isArray(v)) return 'Array value';
  if (isObject(v)) return 'Object value';
  if (typeof v === 'string') return `String "${v.length > 60 ? `${v.slice(0, 60)}…` : v}"`;
  return `${v instanceof JsonNumber ? 'Number' : 'Boolean'} value (${text(v)})`;
}

const uuid =
  (key: 'id' | 'traceId' | 'parentSpanId' | 'projectId'): FieldReader =>
  (v, into) => {
    if (typeof v !== 'string' || !UUID.test(v)) return cannot('java.util.UUID', v);
    into[key] = v.toLowerCase();
    return undefined;
  };

const str =
  (
    key:
      | 'projectName'
      | 'name'
      | 'model'
      | 'provider'
      | 'threadId'
      | 'environment'
      | 'totalEstimatedCostVersion',
  ): FieldReader =>
  (v, into) => {
    const t = text(v);
    if (t === undefined) return cannot('java.lang.String', v);
    into[key] = t;
    return undefined;
  };

const instant =
  (key: 'startNs' | 'endNs' | 'lastUpdatedNs'): FieldReader =>
  (v, into) => {
    const ns = parseInstant(v);
    if (ns === undefined) return cannot('java.time.Instant', v);
    into[key] = ns;
    return undefined;
  };

const json =
  (key: 'input' | 'output' | 'metadata'): FieldReader =>
  (v, into) => {
    into[key] = v;
    return undefined;
  };

const num =
  (key: 'ttft' | 'totalEstimatedCost', type: string): FieldReader =>
  (v, into) => {
    const n = number(v);
    if (n === undefined) return cannot(type, v);
    into[key] = n;
    return undefined;
  };

const stringSet =
  (key: 'tags' | 'tagsToAdd' | 'tagsToRemove'): FieldReader =>
  (v, into) => {
    if (!Array.isArray(v)) return cannot('java.util.Set<java.lang.String>', v);
    const out: string[] = [];
    for (const e of v) {
      if (e === null) continue;
      const t = text(e);
      if (t === undefined) return cannot('java.lang.String', e);
      if (!out.includes(t)) out.push(t);
    }
    into[key] = out;
    return undefined;
  };

const oneOf =
  (key: 'source' | 'type', values: readonly string[], type: string): FieldReader =>
  (v, into) => {
    // Dropwizard matches enum names loosely (case, `-` for `_`).
    const t = typeof v === 'string' ? v.trim().toLowerCase().replaceAll('-', '_') : undefined;
    if (t === undefined || !values.includes(t)) return cannot(type, v);
    into[key] = t;
    return undefined;
  };

const usage: FieldReader = (v, into) => {
  if (!isObject(v)) return cannot('java.util.Map<java.lang.String,java.lang.Integer>', v);
  const out: Array<[string, number]> = [];
  for (const [k, raw] of Object.entries(v)) {
    if (raw === null) continue;
    const n = number(raw);
    if (n === undefined || typeof raw === 'boolean') return cannot('java.lang.Integer', raw);
    const int = Math.trunc(n);
    if (int >= INT32 || int < -INT32) {
      return `Numeric value (${text(raw)}) out of range of int (${-INT32} - ${INT32 - 1})`;
    }
    out.push([k, int]);
  }
  into.usage = out;
  return undefined;
};

const errorInfo: FieldReader = (v, into) => {
  if (!isObject(v)) return cannot('com.comet.opik.api.ErrorInfo', v);
  const out: Mutable<ReceivedErrorInfo> = {};
  for (const key of ['exception_type', 'message', 'traceback'] as const) {
    const raw = v[key];
    if (raw === undefined || raw === null) continue;
    const t = text(raw);
    if (t === undefined) return cannot('java.lang.String', raw);
    out[key] = t;
  }
  into.errorInfo = out;
  return undefined;
};

/** The fields of each write (`Trace_Write`, `Span_Write`, `TraceUpdate`, `SpanUpdate`); others are ignored, as Opik ignores them. */
const COMMON: Record<string, FieldReader> = {
  project_name: str('projectName'),
  name: str('name'),
  end_time: instant('endNs'),
  input: json('input'),
  output: json('output'),
  metadata: json('metadata'),
  tags: stringSet('tags'),
  error_info: errorInfo,
  ttft: num('ttft', 'java.lang.Double'),
  source: oneOf('source', SOURCES, 'com.comet.opik.api.Source'),
  environment: str('environment'),
};
const SPAN: Record<string, FieldReader> = {
  trace_id: uuid('traceId'),
  parent_span_id: uuid('parentSpanId'),
  type: oneOf('type', SPAN_TYPES, 'com.comet.opik.domain.SpanType'),
  model: str('model'),
  provider: str('provider'),
  usage,
  total_estimated_cost: num('totalEstimatedCost', 'java.math.BigDecimal'),
};
const CREATE: Record<string, FieldReader> = {
  id: uuid('id'),
  start_time: instant('startNs'),
  last_updated_at: instant('lastUpdatedNs'),
};
const UPDATE: Record<string, FieldReader> = {
  project_id: uuid('projectId'),
  tags_to_add: stringSet('tagsToAdd'),
  tags_to_remove: stringSet('tagsToRemove'),
};

const FIELDS = {
  trace: {
    create: { ...COMMON, ...CREATE, thread_id: str('threadId') },
    update: { ...COMMON, ...UPDATE, thread_id: str('threadId') },
  },
  span: {
    create: {
      ...COMMON,
      ...SPAN,
      ...CREATE,
      total_estimated_cost_version: str('totalEstimatedCostVersion'),
    },
    update: { ...COMMON, ...SPAN, ...UPDATE },
  },
} as const;

/** Step 4 of Opik's pipeline: JSON types (400 "Unable to process JSON"). */
function readItem(
  raw: LosslessJson,
  kind: WriteKind,
  id: string | undefined,
): ReceivedItem | OpikReply {
  if (!isObject(raw)) {
    return opikError(400, `Unable to process JSON. ${cannot(`${kind.entity} write`, raw)}`);
  }
  const into: Mutable<ReceivedItem> = { entity: kind.entity, update: kind.update, id: id ?? '' };
  const fields: Record<string, FieldReader> =
    FIELDS[kind.entity][kind.update ? 'update' : 'create'];
  for (const [key, value] of Object.entries(raw)) {
    const reader = fields[key];
    if (!reader || value === null) continue;
    const problem = reader(value, into);
    if (problem) return opikError(400, `Unable to process JSON. ${problem} (field ${key})`);
  }
  return into;
}

const MIN_NS = 0n;
const MAX_NS = BigInt(Date.parse('2262-04-11T23:47:16Z')) * 1_000_000n;
const MAX_UPDATED_NS = BigInt(Date.parse('2300-01-01T00:00:00Z')) * 1_000_000n;
const RANGE =
  'must be after or equal 1970-01-01T00:00:00.000000Z and before 2262-04-11T23:47:16.000000000Z';
const camel = (f: string) => f.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/** Step 5: bean validation (422 with every message); `at` is the property path prefix. */
function beanProblems(it: ReceivedItem, at: string): string[] {
  const p = (field: string) => `${at}${camel(field)}`;
  const errors: string[] = [];
  if (!it.update && it.startNs === undefined) errors.push(`${p('start_time')} must not be null`);
  for (const [field, ns] of [
    ['start_time', it.startNs],
    ['end_time', it.endNs],
  ] as const) {
    if (ns !== undefined && (ns < MIN_NS || ns >= MAX_NS)) errors.push(`${p(field)} ${RANGE}`);
  }
  const updated = it.lastUpdatedNs;
  if (updated !== undefined && (updated < MIN_NS || updated >= MAX_UPDATED_NS)) {
    errors.push(
      `${p('last_updated_at')} must be after or equal 1970-01-01T00:00:00.000000Z and before 2300-01-01T00:00:00.000000Z`,
    );
  }
  if (it.projectName !== undefined && it.projectName.trim() === '') {
    errors.push(`${p('project_name')} must not be blank`);
  }
  if (it.ttft !== undefined && it.ttft < 0)
    errors.push(`${p('ttft')} must be greater than or equal to 0`);
  if (it.environment !== undefined && it.environment.length > 150) {
    errors.push(`${p('environment')} cannot exceed 150 characters`);
  }
  if (it.totalEstimatedCost !== undefined && it.totalEstimatedCost < 0) {
    errors.push(`${p('total_estimated_cost')} must be greater than or equal to 0.0`);
  }
  // Opik checks trace_id only in its Write group (a 5xx at insert); refused here with the 422 a strict reading gives.
  if (it.entity === 'span' && it.traceId === undefined)
    errors.push(`${p('trace_id')} must not be null`);
  if (it.update) {
    const tags = [...(it.tags ?? []), ...(it.tagsToAdd ?? [])];
    if ((it.tags?.length ?? 0) > 50 || (it.tagsToAdd?.length ?? 0) > 50) {
      errors.push('Tag limit exceeded: maximum 50 tags per item');
    }
    if (tags.some((t) => t.trim() === '' || t.length > 100)) {
      errors.push(`${p('tags')} each tag must be non-blank and at most 100 characters`);
    }
  }
  return errors;
}

/** Step 6: ids must be UUID version 7 (Opik's `IdGenerator.validateId` checks the version only). */
function idProblem(id: string, entity: EntityType): OpikReply | undefined {
  if (id.charAt(14) === '7') return undefined;
  const what = entity === 'trace' ? 'Trace' : 'Span';
  return opikError(400, 'Invalid UUID for id', `${what} id must be a version 7 UUID`);
}

/**
 * Reads a batch body (`{"traces":[…]}` / `{"spans":[…]}`) in Opik's order: types, then bean
 * validation, then ids; one problem fails the whole batch, as in Opik. Items without an id get a
 * fresh UUIDv7 (Opik's default); items sharing an id and carrying `last_updated_at` collapse to
 * the newest, as Opik de-duplicates a batch.
 */
export function readBatch(
  body: LosslessJson,
  entity: EntityType,
  newId: () => string,
): ReceivedItem[] | OpikReply {
  return unpaced(readBatchSteps(body, entity, newId));
}

/** `readBatch` in steps: it yields after each item, so a receiver can pace a large batch. */
export function* readBatchSteps(
  body: LosslessJson,
  entity: EntityType,
  newId: () => string,
): Generator<void, ReceivedItem[] | OpikReply, undefined> {
  const key = entity === 'trace' ? 'traces' : 'spans';
  if (!isObject(body)) {
    return opikError(400, `Unable to process JSON. ${cannot(`${key} batch`, body)}`);
  }
  const list = body[key];
  if (list === undefined || list === null) return validationError([`${key} must not be null`]);
  if (!Array.isArray(list)) {
    return opikError(
      400,
      `Unable to process JSON. ${cannot(`java.util.List`, list)} (field ${key})`,
    );
  }
  const items: ReceivedItem[] = [];
  for (const raw of list) {
    const item = readItem(raw, { entity, update: false }, undefined);
    if ('status' in item) return item;
    items.push(item);
    yield;
  }
  const errors: string[] = [];
  if (items.length < 1 || items.length > 1000)
    errors.push(`${key} size must be between 1 and 1000`);
  for (let i = 0; i < items.length; i++) {
    errors.push(...beanProblems(items[i]!, `${key}[${i}].`));
    yield;
  }
  if (errors.length > 0) return validationError(errors);
  const withIds = items.map((it) => (it.id === '' ? { ...it, id: newId() } : it));
  for (const it of withIds) {
    const bad = idProblem(it.id, entity);
    if (bad) return bad;
  }
  return newestPerId(withIds);
}

/** Reads a single create (`POST /traces`, `POST /spans`) or an update (`PATCH …/{id}`). */
export function readSingle(
  body: LosslessJson,
  kind: WriteKind,
  pathId: string | undefined,
  newId: () => string,
): ReceivedItem | OpikReply {
  const item = readItem(body, kind, kind.update ? pathId : undefined);
  if ('status' in item) return item;
  const errors = beanProblems(item, '');
  if (errors.length > 0) return validationError(errors);
  const withId = item.id === '' ? { ...item, id: newId() } : item;
  return idProblem(withId.id, kind.entity) ?? withId;
}

function newestPerId(items: ReceivedItem[]): ReceivedItem[] {
  const keep = new Map<string, ReceivedItem>();
  const out: ReceivedItem[] = [];
  for (const it of items) {
    if (it.lastUpdatedNs === undefined) {
      out.push(it);
      continue;
    }
    const seen = keep.get(it.id);
    if (!seen) {
      keep.set(it.id, it);
      out.push(it);
    } else if (it.lastUpdatedNs > (seen.lastUpdatedNs ?? -1n)) {
      keep.set(it.id, it);
      out[out.indexOf(seen)] = it;
    }
  }
  return out;
}

/** A path id as Opik reads it (`PATCH /v1/private/traces/{id}`): a UUID, or Opik's 400/404. */
export function readPathId(id: string): string | undefined {
  return UUID.test(id) ? id.toLowerCase() : undefined;
}

export type { LosslessObject };
