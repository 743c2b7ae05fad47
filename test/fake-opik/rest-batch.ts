import type { JsonValue } from './attribute-mapper.js';
import { isUuid, isV7, timestampOf } from './opik-ids.js';
import type { Row } from './store.js';

/** An HTTP answer of the fake. */
export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export const jsonError = (status: number, message: string, details?: string): Reply => ({
  status,
  body: details === undefined ? { code: status, message } : { code: status, message, details },
});
export const validationError = (errors: string[]): Reply => ({ status: 422, body: { errors } });

const MIN_TIME = Date.parse('1970-01-01T00:00:00Z');
const MAX_TIME = Date.parse('2262-04-11T23:47:16Z');
const MAX_UPDATED = Date.parse('2300-01-01T00:00:00Z');
const RANGE =
  'must be after or equal 1970-01-01T00:00:00.000000Z and before 2262-04-11T23:47:16.000000000Z';
const SOURCES = ['sdk', 'experiment', 'playground', 'optimization', 'evaluator'];
const SPAN_TYPES = ['general', 'tool', 'llm', 'guardrail'];

type Item = Record<string, JsonValue>;

export interface BatchCheck {
  readonly kind: 'traces' | 'spans';
  /** The ±window Opik Cloud applies to UUIDv7 timestamps; undefined = OSS (no check). */
  readonly windowMs?: number;
  readonly nowMs: number;
  /** 2.2 (PR #7553): a span's `trace_id` and `parent_span_id` must be UUIDv7 too. */
  readonly referencedIdsV7?: boolean;
}

/**
 * Validates a `POST /v1/private/{traces,spans}/batch` body in Opik's order (reference/
 * opik-api-contracts.md §0, §2, §3): JSON types (400 "Unable to process JSON"), bean validation
 * (422 with every message), then ids (400 "Invalid UUID for id"; one bad id fails the batch).
 */
export function checkBatch(body: unknown, c: BatchCheck): Reply | Item[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return jsonError(400, 'Unable to process JSON. Cannot deserialize the batch from a non-object');
  }
  const items = (body as Record<string, unknown>)[c.kind];
  if (items === undefined || items === null) return validationError([`${c.kind} must not be null`]);
  if (!Array.isArray(items))
    return jsonError(400, `Unable to process JSON. ${c.kind} is not an array`);
  const typeError = items.map((it) => typeProblem(it, c.kind)).find((p) => p !== undefined);
  if (typeError) return jsonError(400, `Unable to process JSON. ${typeError}`);
  const errors: string[] = [];
  if (items.length < 1 || items.length > 1000)
    errors.push(`${c.kind} size must be between 1 and 1000`);
  items.forEach((it: Item, i) => {
    errors.push(...beanProblems(it, `${c.kind}[${i}].`, c.kind));
  });
  if (errors.length > 0) return validationError(errors);
  for (const it of items as Item[]) {
    const bad = idProblem(it.id, c) ?? (c.referencedIdsV7 ? referencedProblem(it) : undefined);
    if (bad) return bad;
  }
  return items as Item[];
}

/** One `Trace_Write`/`Span_Write` (`POST /v1/private/traces`, `/spans`): the same checks, paths without a prefix. */
export function checkSingle(body: unknown, c: BatchCheck): { refused: Reply } | { item: Item } {
  const typeError = typeProblem(body, c.kind);
  if (typeError) return { refused: jsonError(400, `Unable to process JSON. ${typeError}`) };
  const errors = beanProblems(body as Item, '', c.kind);
  if (errors.length > 0) return { refused: validationError(errors) };
  const bad =
    idProblem((body as Item).id, c) ??
    (c.referencedIdsV7 ? referencedProblem(body as Item) : undefined);
  return bad ? { refused: bad } : { item: body as Item };
}

export function typeProblem(it: unknown, kind: 'traces' | 'spans'): string | undefined {
  if (it === null || typeof it !== 'object' || Array.isArray(it)) return 'an item is not an object';
  const o = it as Item;
  for (const f of ['id', 'trace_id', 'parent_span_id']) {
    if (
      o[f] !== undefined &&
      o[f] !== null &&
      (typeof o[f] !== 'string' || !isUuid(o[f] as string))
    ) {
      return `Cannot deserialize value of type java.util.UUID from "${String(o[f])}"`;
    }
  }
  for (const f of ['start_time', 'end_time', 'last_updated_at']) {
    if (
      o[f] !== undefined &&
      o[f] !== null &&
      (typeof o[f] !== 'string' || Number.isNaN(Date.parse(o[f] as string)))
    ) {
      return `Cannot deserialize value of type java.time.Instant from ${JSON.stringify(o[f])}`;
    }
  }
  if (
    o.tags !== undefined &&
    o.tags !== null &&
    (!Array.isArray(o.tags) || o.tags.some((t) => typeof t !== 'string'))
  ) {
    return 'tags must be an array of strings';
  }
  if (o.source !== undefined && o.source !== null && !SOURCES.includes(String(o.source))) {
    return `Cannot deserialize value of type Source from "${String(o.source)}"`;
  }
  if (kind === 'spans') return spanTypeProblem(o);
  return undefined;
}

function spanTypeProblem(o: Item): string | undefined {
  if (
    o.type !== undefined &&
    o.type !== null &&
    !SPAN_TYPES.includes(String(o.type).toLowerCase())
  ) {
    return `Cannot deserialize value of type SpanType from "${String(o.type)}"`;
  }
  const usage = o.usage;
  if (usage !== undefined && usage !== null) {
    if (typeof usage !== 'object' || Array.isArray(usage)) return 'usage must be an object';
    for (const v of Object.values(usage)) {
      if (typeof v !== 'number' || v > 2 ** 31 - 1 || v < -(2 ** 31)) {
        return `Numeric value (${String(v)}) out of range of int`;
      }
    }
  }
  return undefined;
}

/** Bean validation (422 messages); `at` is the property path prefix with its dot (`traces[0].`) or ''. */
export function beanProblems(o: Item, at: string, kind: 'traces' | 'spans'): string[] {
  const errors: string[] = [];
  const camel = (f: string) => f.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
  if (o.start_time === undefined || o.start_time === null)
    errors.push(`${at}startTime must not be null`);
  for (const f of ['start_time', 'end_time']) {
    const t = typeof o[f] === 'string' ? Date.parse(o[f] as string) : undefined;
    if (t !== undefined && (t < MIN_TIME || t >= MAX_TIME))
      errors.push(`${at}${camel(f)} ${RANGE}`);
  }
  if (typeof o.last_updated_at === 'string' && Date.parse(o.last_updated_at) >= MAX_UPDATED) {
    errors.push(
      `${at}lastUpdatedAt must be after or equal 1970-01-01T00:00:00.000000Z and before 2300-01-01T00:00:00.000000Z`,
    );
  }
  if (typeof o.project_name === 'string' && o.project_name.trim() === '')
    errors.push(`${at}projectName must not be blank`);
  if (typeof o.ttft === 'number' && o.ttft < 0)
    errors.push(`${at}ttft must be greater than or equal to 0`);
  if (typeof o.environment === 'string' && o.environment.length > 150)
    errors.push(`${at}environment cannot exceed 150 characters`);
  if (kind === 'spans') {
    if (typeof o.total_estimated_cost === 'number' && o.total_estimated_cost < 0) {
      errors.push(`${at}totalEstimatedCost must be greater than or equal to 0.0`);
    }
    // Opik validates trace_id only in its Write group; a strict fake reports it (contracts §3).
    if (o.trace_id === undefined || o.trace_id === null)
      errors.push(`${at}traceId must not be null`);
  }
  return errors;
}

/** Opik's `IdGenerator.validateId` and `UuidV7TimestampValidator`. */
export function idProblem(id: JsonValue | undefined, c: BatchCheck): Reply | undefined {
  if (typeof id !== 'string') return undefined;
  const what = c.kind === 'traces' ? 'Trace' : 'Span';
  if (!isV7(id))
    return jsonError(400, 'Invalid UUID for id', `${what} id must be a version 7 UUID`);
  if (c.windowMs === undefined) return undefined;
  const ts = Number(timestampOf(id));
  const reason =
    ts < c.nowMs - c.windowMs
      ? 'too_old'
      : ts > c.nowMs + c.windowMs
        ? 'too_far_future'
        : undefined;
  if (!reason) return undefined;
  const hours = Math.round(c.windowMs / 3_600_000);
  return jsonError(
    400,
    'Invalid UUID for id',
    `id with timestamp '${new Date(ts).toISOString()}' must be in the allowed ingestion window of 'PT${hours}H' around now, reason '${reason}'`,
  );
}

/**
 * PR #7553 (2.2): every span's `trace_id`, and `parent_span_id` when present, must be a version 7
 * UUID, checked with the other ids, before anything is written. (The "not too far in the future"
 * half of that check is left out: its message is not in the reference.) The same check applies
 * to the single create and the PATCH of a span (sdk-writes.ts).
 */
export function referencedProblem(it: Item): Reply | undefined {
  if (typeof it.trace_id === 'string' && !isV7(it.trace_id)) {
    return jsonError(400, 'Invalid UUID for id', 'Span trace id must be a version 7 UUID');
  }
  if (typeof it.parent_span_id === 'string' && !isV7(it.parent_span_id)) {
    return jsonError(400, 'Invalid UUID for id', 'Span parent id must be a version 7 UUID');
  }
  return undefined;
}

/** A validated item as a stored row (project resolved, times normalised, tags as a set). */
export function toRow(o: Item, project: string, lastUpdated: string): Row {
  const row: Row = { ...o, id: String(o.id), project_name: project, last_updated_at: lastUpdated };
  for (const f of ['start_time', 'end_time']) {
    if (typeof o[f] === 'string') row[f] = new Date(Date.parse(o[f] as string)).toISOString();
  }
  if (Array.isArray(o.tags)) row.tags = [...new Set(o.tags as string[])].sort();
  if (o.name === undefined || o.name === null) row.name = '';
  if (typeof o.type === 'string') row.type = o.type.toLowerCase();
  for (const [k, v] of Object.entries(row)) if (v === null || v === undefined) delete row[k];
  return row;
}
