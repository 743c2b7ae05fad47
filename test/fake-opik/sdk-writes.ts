import type { JsonValue } from './attribute-mapper.js';
import { isUuid, isV7 } from './opik-ids.js';
import {
  type BatchCheck,
  checkSingle,
  jsonError,
  type Reply,
  referencedProblem,
  toRow,
  typeProblem,
  validationError,
} from './rest-batch.js';
import type { FakeStore, Row } from './store.js';

/**
 * The writes an Opik SDK makes besides the batch creates (reference/opik-api-contracts.md §5,
 * opik-sdk-ingest.md §4.2 and §9): single creates (the Python SDK before 1.11, Dify ≤ 1.13),
 * PATCH updates, and feedback scores.
 */
export interface WriteContext {
  readonly store: FakeStore;
  readonly workspace: string;
  readonly nowMs: number;
  readonly windowMs?: number;
  /** 2.2 (PR #7553): a span's `trace_id` / `parent_span_id` must be UUIDv7 (create and PATCH). */
  readonly referencedIdsV7: boolean;
  /** Rows a PATCH created before their create (Opik's "partial" rows), by id. */
  readonly partial: Set<string>;
  readonly newId: () => string;
}

type Item = Record<string, JsonValue>;
const EPOCH = '1970-01-01T00:00:00.000Z';
const projectOf = (o: Item) =>
  typeof o.project_name === 'string' ? o.project_name : 'Default Project';

/** `POST /v1/private/traces` / `/spans`: 201 + `Location`; a trace that exists is a 409, a span that exists is left as it is. */
export function createOne(
  kind: 'traces' | 'spans',
  body: unknown,
  baseUrl: string,
  ctx: WriteContext,
): Reply {
  const check: BatchCheck = {
    kind,
    windowMs: ctx.windowMs,
    nowMs: ctx.nowMs,
    referencedIdsV7: kind === 'spans' && ctx.referencedIdsV7,
  };
  const checked = checkSingle(body, check);
  if ('refused' in checked) return checked.refused;
  const item = checked.item;
  const id = typeof item.id === 'string' ? item.id.toLowerCase() : ctx.newId();
  const project = ctx.store.project(ctx.workspace, projectOf(item));
  const existing = ctx.store.get(kind, ctx.workspace, id);
  const created: Reply = {
    status: 201,
    headers: { location: `${baseUrl}/v1/private/${kind}/${id}` },
  };
  if (existing && existing.project_name.toLowerCase() !== project.toLowerCase()) {
    const what = kind === 'traces' ? 'trace' : 'span';
    return conflict(`Project name and workspace name do not match the existing ${what}`);
  }
  if (existing && !ctx.partial.has(id)) {
    return kind === 'traces' ? conflict('Trace already exists') : created;
  }
  const row = toRow({ ...item, id }, project, stamp(item, ctx.nowMs));
  if (kind === 'spans') row.type ??= 'general';
  ctx.partial.delete(id);
  ctx.store.upsert(kind, ctx.workspace, existing ? { ...existing, ...row } : row);
  return created;
}

const UPDATE_FIELDS = {
  traces: [
    'name',
    'end_time',
    'input',
    'output',
    'metadata',
    'tags',
    'error_info',
    'thread_id',
    'ttft',
    'source',
    'environment',
  ],
  spans: [
    'parent_span_id',
    'name',
    'type',
    'end_time',
    'input',
    'output',
    'metadata',
    'model',
    'provider',
    'tags',
    'usage',
    'total_estimated_cost',
    'error_info',
    'ttft',
    'source',
    'environment',
  ],
};

/**
 * `PATCH /v1/private/{traces|spans}/{id}`: the fields sent replace the stored ones; a missing row
 * is created partial (start at the epoch) for a later create to fill in. 204.
 */
export function updateOne(
  kind: 'traces' | 'spans',
  id: string,
  body: unknown,
  ctx: WriteContext,
): Reply {
  if (!isUuid(id)) return jsonError(404, 'HTTP 404 Not Found');
  const what = kind === 'traces' ? 'Trace' : 'Span';
  if (!isV7(id))
    return jsonError(400, 'Invalid UUID for id', `${what} id must be a version 7 UUID`);
  const typeError = typeProblem(body, kind);
  if (typeError) return jsonError(400, `Unable to process JSON. ${typeError}`);
  const o = body as Item;
  const errors: string[] = [];
  if (kind === 'spans' && (o.trace_id === undefined || o.trace_id === null)) {
    errors.push('traceId must not be null');
  }
  const tags = Array.isArray(o.tags) ? o.tags : [];
  if (tags.length > 50) errors.push('Tag limit exceeded: maximum 50 tags per item');
  if (typeof o.ttft === 'number' && o.ttft < 0)
    errors.push('ttft must be greater than or equal to 0');
  if (typeof o.total_estimated_cost === 'number' && o.total_estimated_cost < 0) {
    errors.push('totalEstimatedCost must be greater than or equal to 0.0');
  }
  if (errors.length > 0) return validationError(errors);
  const referenced = kind === 'spans' && ctx.referencedIdsV7 ? referencedProblem(o) : undefined;
  if (referenced) return referenced;
  const lower = id.toLowerCase();
  const project = ctx.store.project(ctx.workspace, projectOf(o));
  const existing = ctx.store.get(kind, ctx.workspace, lower);
  if (existing && existing.project_name.toLowerCase() !== project.toLowerCase()) {
    return conflict('Project name and workspace name do not match the existing trace');
  }
  if (existing && kind === 'spans') {
    if (existing.trace_id !== o.trace_id)
      return conflict('trace_id does not match the existing span');
    if (o.parent_span_id !== undefined && existing.parent_span_id !== o.parent_span_id) {
      return conflict('parent_span_id does not match the existing span');
    }
  }
  const base: Row = existing ?? {
    id: lower,
    project_name: project,
    name: '',
    start_time: EPOCH,
    last_updated_at: EPOCH,
    ...(kind === 'spans' ? { trace_id: String(o.trace_id), type: 'general' } : {}),
  };
  if (!existing) ctx.partial.add(lower);
  const patch: Item = {};
  for (const f of UPDATE_FIELDS[kind]) if (o[f] !== undefined && o[f] !== null) patch[f] = o[f]!;
  const row = toRow({ ...base, ...patch } as Item, project, new Date(ctx.nowMs).toISOString());
  if (Array.isArray(o.tags_to_add) || Array.isArray(o.tags_to_remove)) {
    const set = new Set((row.tags as string[] | undefined) ?? []);
    for (const t of (o.tags_to_add as string[] | undefined) ?? []) set.add(t);
    for (const t of (o.tags_to_remove as string[] | undefined) ?? []) set.delete(t);
    row.tags = [...set].sort();
  }
  ctx.store.upsert(kind, ctx.workspace, row);
  return { status: 204 };
}

/** `PUT /v1/private/{traces|spans}/feedback-scores`: `{scores:[{id, name, value, source, …}]}`, 204. */
export function putScores(
  kind: 'traces' | 'spans',
  body: unknown,
  scores: Array<Record<string, JsonValue>>,
): Reply {
  const list = (body as { scores?: unknown } | null)?.scores;
  if (!Array.isArray(list)) return validationError(['scores must not be null']);
  if (list.length < 1 || list.length > 1000)
    return validationError(['scores size must be between 1 and 1000']);
  const errors: string[] = [];
  list.forEach((s: Item, i) => {
    if (typeof s.name !== 'string' || s.name.trim() === '')
      errors.push(`scores[${i}].name must not be blank`);
    if (typeof s.value !== 'number') errors.push(`scores[${i}].value must not be null`);
    if (!['ui', 'sdk', 'online_scoring'].includes(String(s.source)))
      errors.push(`scores[${i}].source must not be null`);
  });
  if (errors.length > 0) return validationError(errors);
  const what = kind === 'traces' ? 'trace' : 'span';
  for (const s of list as Item[]) {
    if (typeof s.id !== 'string' || !isV7(s.id)) {
      return jsonError(400, 'Invalid UUID for id', `${what} id must be a version 7 UUID`);
    }
  }
  for (const s of list as Item[]) scores.push({ kind, ...s });
  return { status: 204 };
}

function stamp(item: Item, nowMs: number): string {
  return typeof item.last_updated_at === 'string'
    ? new Date(Date.parse(item.last_updated_at)).toISOString()
    : new Date(nowMs).toISOString();
}

function conflict(message: string): Reply {
  return { status: 409, body: { errors: [message] } };
}
