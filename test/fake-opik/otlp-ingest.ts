import { type JsonValue, mapAttributes, putColumn, UsageParseError } from './attribute-mapper.js';
import { convertOtelId, isV7, timestampOf } from './opik-ids.js';
import type { OtelSpan } from './otlp-decode.js';
import { type BatchCheck, idProblem, jsonError, type Reply } from './rest-batch.js';
import type { Rule } from './rules.js';
import type { FakeStore, Row } from './store.js';
import type { Behaviour } from './version.js';

/** Redis `GETEX`/`SET` with a TTL, keyed as Opik keys its OTel trace-id memory. */
export class TtlMemory {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();
  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}
  getAndExpire(key: string): string | undefined {
    const e = this.entries.get(key);
    if (!e || e.expiresAt <= this.now()) return undefined;
    e.expiresAt = this.now() + this.ttlMs;
    return e.value;
  }
  set(key: string, value: string): void {
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
  }
  clear(): void {
    this.entries.clear();
  }
}

export interface IngestContext {
  readonly store: FakeStore;
  readonly workspace: string;
  readonly workspaceId: string;
  readonly project: string;
  readonly rules: readonly Rule[];
  readonly idOverrides: boolean;
  readonly memory: TtlMemory;
  readonly nowMs: number;
  readonly windowMs?: number;
  readonly behaviour: Behaviour;
}

const iso = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString();
type Mapped = { row: Row; fromOverride: boolean };

/** `OpenTelemetryService.parseAndStoreSpans` (reference/opik-api-contracts.md §4, steps 2–8). */
export function ingestOtlp(spans: readonly OtelSpan[], ctx: IngestContext): Reply {
  if (spans.length === 0) return internalError('Batch spans must not be empty');
  const integration = spans.map((s) => s.scopeName).find((n) => n.toLowerCase() !== 'logfire');
  const traceIds = opikTraceIds(spans, ctx);
  let mapped: Mapped[];
  try {
    mapped = spans.map((s) =>
      toRow(s, traceIds.get(s.traceId.toString('base64'))!, integration, ctx),
    );
  } catch (err) {
    if (err instanceof UsageParseError) return jsonError(400, err.message);
    throw err;
  }
  clearParentUsage(mapped.map((m) => m.row));
  const spanCheck: BatchCheck = { kind: 'spans', windowMs: ctx.windowMs, nowMs: ctx.nowMs };
  const traceCheck: BatchCheck = { ...spanCheck, kind: 'traces' };
  const rooted = new Set<string>();
  for (const { row, fromOverride } of mapped) {
    if (row.parent_span_id !== undefined || fromOverride) continue;
    // 2.2.1 (PR #7504): the first root of a trace in the request makes the trace, the rest don't.
    if (ctx.behaviour.rootFixes && rooted.has(String(row.trace_id))) continue;
    rooted.add(String(row.trace_id));
    const refused = idProblem(row.trace_id, traceCheck) ?? createTrace(row, ctx);
    if (refused) return refused;
  }
  for (const { row } of mapped) {
    const refused = idProblem(row.id, spanCheck);
    if (refused) return refused;
  }
  for (const { row } of mapped) ctx.store.upsert('spans', ctx.workspace, row);
  return { status: 200 };
}

function opikTraceIds(spans: readonly OtelSpan[], ctx: IngestContext): Map<string, string> {
  const minStart = new Map<string, bigint>();
  for (const s of spans) {
    const key = s.traceId.toString('base64');
    const ms = s.startTimeUnixNano / 1_000_000n;
    const seen = minStart.get(key);
    if (seen === undefined || ms < seen) minStart.set(key, ms);
  }
  const out = new Map<string, string>();
  for (const [b64, ms] of minStart) {
    const redisKey = `otelTraceId:${ctx.workspaceId}:${ctx.project.toLowerCase()}:${b64}`;
    let id = ctx.memory.getAndExpire(redisKey);
    if (!id) {
      id = convertOtelId(Buffer.from(b64, 'base64'), ms);
      ctx.memory.set(redisKey, id);
    }
    out.set(b64, id);
  }
  return out;
}

function override(span: OtelSpan, key: string, ctx: IngestContext): string | undefined {
  if (!ctx.idOverrides) return undefined;
  const a = span.attributes.find((kv) => kv.key === key)?.value;
  return a?.kind === 'string' && isV7(a.value) ? a.value.toLowerCase() : undefined;
}

function toRow(
  span: OtelSpan,
  derivedTraceId: string,
  integration: string | undefined,
  ctx: IngestContext,
): Mapped {
  const traceOverride = override(span, 'opik.trace_id', ctx);
  const traceId = traceOverride ?? derivedTraceId;
  const ts = timestampOf(traceId);
  const spanId = override(span, 'opik.span_id', ctx) ?? convertOtelId(span.spanId, ts);
  // 2.2.1 (PR #7504): a parent id equal to the trace id marks a root too.
  const noParent =
    span.parentSpanId.length === 0 ||
    (ctx.behaviour.rootFixes && span.parentSpanId.equals(span.traceId));
  const parent = traceOverride
    ? override(span, 'opik.parent_span_id', ctx)
    : noParent
      ? undefined
      : convertOtelId(span.parentSpanId, ts);
  const attrs = mapAttributes(span, ctx.rules, ctx.behaviour);
  const metadata: { [k: string]: JsonValue } = {};
  if (integration) metadata.integration = integration;
  Object.assign(metadata, attrs.metadata);
  if (span.events.length > 0) metadata['opentelemetry.events'] = span.events.map(eventNode);
  const row: Row = {
    id: spanId,
    trace_id: traceId,
    parent_span_id: parent,
    project_name: ctx.project,
    name: span.name,
    type: attrs.type,
    start_time: iso(span.startTimeUnixNano),
    end_time: iso(span.endTimeUnixNano),
    input: attrs.input,
    output: attrs.output,
    metadata: Object.keys(metadata).length > 0 ? metadata : undefined,
    tags: attrs.tags && attrs.tags.length > 0 ? [...new Set(attrs.tags)].sort() : undefined,
    usage: attrs.usage,
    model: attrs.model,
    provider: attrs.provider,
    total_estimated_cost: attrs.cost,
    error_info: errorInfo(span),
    source: 'sdk',
    last_updated_at: new Date(ctx.nowMs).toISOString(),
  };
  for (const [k, v] of Object.entries(row)) if (v === undefined) delete row[k];
  return { row, fromOverride: traceOverride !== undefined };
}

function eventNode(e: OtelSpan['events'][number]): JsonValue {
  const node: { [k: string]: JsonValue } = { name: e.name, time_unix_nano: Number(e.timeUnixNano) };
  if (e.attributes.length > 0) {
    const attributes: { [k: string]: JsonValue } = {};
    for (const a of e.attributes) putColumn(attributes, a.key, a.value);
    node.attributes = attributes;
  }
  return node;
}

function errorInfo(span: OtelSpan): JsonValue | undefined {
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const exception = span.events.filter((e) => e.name === 'exception').at(-1);
  let type: string | undefined;
  let message: string | undefined;
  let trace: string | undefined;
  if (exception) {
    const attr = (k: string) => {
      const v = exception.attributes.find((a) => a.key === k)?.value;
      return v?.kind === 'string' ? text(v.value) : undefined;
    };
    [type, message, trace] = [
      attr('exception.type'),
      attr('exception.message'),
      attr('exception.stacktrace'),
    ];
  } else if (span.status.code === 2) {
    message = text(span.status.message);
  } else {
    return undefined;
  }
  const info: { [k: string]: JsonValue } = { exception_type: type ?? 'Error' };
  if (message !== undefined) info.message = message;
  info.traceback = trace ?? message ?? 'Error';
  return info;
}

/** A span whose child in the same request has usage loses its own (PydanticAI pattern). */
function clearParentUsage(rows: Row[]): void {
  const parentsOfUsage = new Set(rows.filter((r) => r.usage).map((r) => r.parent_span_id));
  for (const r of rows) if (r.usage && parentsOfUsage.has(r.id)) delete r.usage;
}

/** `TraceService.create(Trace)`: single-create semantics, so an existing trace is a 409. */
function createTrace(span: Row, ctx: IngestContext): Reply | undefined {
  const id = String(span.trace_id);
  if (ctx.store.traceElsewhere(ctx.workspace, ctx.project, id)) {
    return {
      status: 409,
      body: { errors: ['Project name and workspace name do not match the existing trace'] },
    };
  }
  if (ctx.store.get('traces', ctx.workspace, id))
    return { status: 409, body: { errors: ['Trace already exists'] } };
  const metadata = span.metadata as { [k: string]: JsonValue } | undefined;
  const thread = metadata?.thread_id;
  const row: Row = {
    id,
    project_name: ctx.project,
    name: span.name,
    start_time: span.start_time,
    end_time: span.end_time,
    input: span.input,
    output: span.output,
    metadata,
    // PR #7537 (2.2): the root span's tags tag the trace too.
    tags: ctx.behaviour.rootTagsOnTrace ? span.tags : undefined,
    error_info: span.error_info,
    source: 'sdk',
    thread_id:
      thread !== undefined && thread !== null && String(thread).trim() !== ''
        ? String(thread)
        : undefined,
    last_updated_at: span.last_updated_at,
  };
  for (const [k, v] of Object.entries(row)) if (v === undefined) delete row[k];
  ctx.store.upsert('traces', ctx.workspace, row);
  return undefined;
}

export function internalError(why: string): Reply {
  return jsonError(500, `There was an error processing your request. It has been logged (${why}).`);
}
