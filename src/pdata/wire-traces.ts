/**
 * A batch that still holds the OTLP protobuf request it came as. It is a `Traces` like any
 * other: reading `resourceSpans` decodes the request once (and keeps the result), so any code
 * sees the spans it expects. Code on the common path (count, join, split, the `opik` exporter)
 * works on the bytes instead, through the span table the scan made (`otlp/proto-scan.ts`), and
 * never decodes them: see README.md ("Batches in their wire form").
 *
 * The bytes are never changed after construction; new batches are new buffers.
 */
import { copyBytes } from '../otlp/copy-bytes.js';
import { NO_LIMITS, Truncations } from '../otlp/limits.js';
import { ProtoReader } from '../otlp/proto-reader.js';
import { REQUEST, RESOURCE_SPANS, SCOPE_SPANS } from '../otlp/proto-tags.js';
import { tracesFromProto } from '../otlp/proto-to-pdata.js';
import { unpaced } from '../pipeline/pacer.js';
import type { ResourceSpans, Traces } from './traces.js';

/** `[start, end)` of a whole field (tag, length and content) in a batch's bytes; `[0, 0]` when absent. */
export type Range = readonly [number, number];

/** A `ResourceSpans` of the request: its resource and schema URL fields. */
export interface WireResource {
  /** Consecutive groups with the same index belong to one `ResourceSpans`. */
  readonly index: number;
  resource: Range;
  schemaUrl: Range;
}

/** A `ScopeSpans` of the request: its resource, its scope and schema URL fields. */
export interface WireGroup {
  readonly resource: WireResource;
  scope: Range;
  schemaUrl: Range;
}

const STRIDE = 8;
const START = 0;
const END = 1;
const GROUP = 2;
const TRACE_AT = 3;
const SPAN_AT = 4;
const PARENT_AT = 5;
const TIME_AT = 6;
const MARKS = 7;

/**
 * Where each span of a batch sits, one row per span in wire order: its content's `[start, end)`,
 * its group, and the offsets (from `start`) of its trace id, span id, parent span id and start
 * time, 0 when absent; `marks` are the scan's bits (`proto-scan.ts`).
 */
export class SpanTable {
  private rows: Uint32Array;
  count = 0;

  constructor(capacity: number) {
    this.rows = new Uint32Array(Math.max(1, capacity) * STRIDE);
  }

  push(
    start: number,
    end: number,
    group: number,
    traceAt: number,
    spanAt: number,
    parentAt: number,
    timeAt: number,
    marks: number,
  ): void {
    if ((this.count + 1) * STRIDE > this.rows.length) {
      const next = new Uint32Array(this.rows.length * 2);
      next.set(this.rows);
      this.rows = next;
    }
    const o = this.count++ * STRIDE;
    const rows = this.rows;
    rows[o + START] = start;
    rows[o + END] = end;
    rows[o + GROUP] = group;
    rows[o + TRACE_AT] = traceAt;
    rows[o + SPAN_AT] = spanAt;
    rows[o + PARENT_AT] = parentAt;
    rows[o + TIME_AT] = timeAt;
    rows[o + MARKS] = marks;
  }

  /**
   * Appends row `i` of `from` with its content moved to `start` and its group renumbered, adding
   * `marks` to its own.
   */
  pushFrom(from: SpanTable, i: number, start: number, end: number, group: number, marks = 0): void {
    const o = i * STRIDE;
    const r = from.rows;
    this.push(
      start,
      end,
      group,
      r[o + TRACE_AT]!,
      r[o + SPAN_AT]!,
      r[o + PARENT_AT]!,
      r[o + TIME_AT]!,
      r[o + MARKS]! | marks,
    );
  }

  start(i: number): number {
    return this.rows[i * STRIDE + START]!;
  }
  end(i: number): number {
    return this.rows[i * STRIDE + END]!;
  }
  group(i: number): number {
    return this.rows[i * STRIDE + GROUP]!;
  }
  /** Absolute position of the trace id's 16 bytes. */
  traceAt(i: number): number {
    return this.rows[i * STRIDE + START]! + this.rows[i * STRIDE + TRACE_AT]!;
  }
  /** Absolute position of the span id's 8 bytes. */
  spanAt(i: number): number {
    return this.rows[i * STRIDE + START]! + this.rows[i * STRIDE + SPAN_AT]!;
  }
  /** Absolute position of the parent span id's 8 bytes; -1 for a root span. */
  parentAt(i: number): number {
    const at = this.rows[i * STRIDE + PARENT_AT]!;
    return at === 0 ? -1 : this.rows[i * STRIDE + START]! + at;
  }
  /** Absolute position of the start time's 8 bytes; -1 when the span has none (0). */
  timeAt(i: number): number {
    const at = this.rows[i * STRIDE + TIME_AT]!;
    return at === 0 ? -1 : this.rows[i * STRIDE + START]! + at;
  }
  marks(i: number): number {
    return this.rows[i * STRIDE + MARKS]!;
  }
}

/** See the module comment. */
export class WireTraces implements Traces {
  private decoded: readonly ResourceSpans[] | undefined;
  private written: WireTraces | undefined;

  constructor(
    /** An `ExportTraceServiceRequest`, checked by `proto-scan.ts` or written by this module. */
    readonly bytes: Buffer,
    readonly spans: SpanTable,
    readonly groups: readonly WireGroup[],
    /**
     * Bytes that belong at the end of each span and are not written yet (`settled` writes them):
     * a step that adds attributes to every span (the opik exporter's ids) leaves the request as
     * it is, for a next step that reads them from here, unless the batch has to become bytes.
     */
    readonly appendix?: Appender,
  ) {}

  get resourceSpans(): readonly ResourceSpans[] {
    this.decoded ??= unpaced(
      tracesFromProto(new ProtoReader(this.settled().bytes), NO_LIMITS, new Truncations()),
    ).resourceSpans;
    return this.decoded;
  }

  /** The batch with its appendix written into its bytes (itself when it has none). */
  settled(): WireTraces {
    if (!this.appendix) return this;
    this.written ??= rewriteWire(this, identity(this.spans.count), this.appendix);
    return this.written;
  }

  get spanCount(): number {
    return this.spans.count;
  }
}

/** The batch's wire form, if it still has one. */
export function wireOf(traces: Traces): WireTraces | undefined {
  return traces instanceof WireTraces ? traces : undefined;
}

/** Batches joined into one request: their bytes one after the other, as OTLP allows. */
export function joinWire(batches: readonly WireTraces[]): WireTraces {
  if (batches.length === 1) return batches[0]!;
  const parts = batches.map((b) => b.settled());
  const bytes = Buffer.concat(parts.map((p) => p.bytes));
  const spans = new SpanTable(parts.reduce((n, p) => n + p.spans.count, 0));
  const groups: WireGroup[] = [];
  let base = 0;
  let resourceBase = 0;
  for (const part of parts) {
    const groupBase = groups.length;
    const resources = new Map<WireResource, WireResource>();
    for (const g of part.groups) {
      let resource = resources.get(g.resource);
      if (!resource) {
        resource = {
          index: resourceBase + g.resource.index,
          resource: shift(g.resource.resource, base),
          schemaUrl: shift(g.resource.schemaUrl, base),
        };
        resources.set(g.resource, resource);
      }
      groups.push({ resource, scope: shift(g.scope, base), schemaUrl: shift(g.schemaUrl, base) });
    }
    for (let i = 0; i < part.spans.count; i++) {
      const s = part.spans;
      spans.pushFrom(s, i, s.start(i) + base, s.end(i) + base, s.group(i) + groupBase);
    }
    for (const r of resources.values()) resourceBase = Math.max(resourceBase, r.index + 1);
    base += part.bytes.length;
  }
  return new WireTraces(bytes, spans, groups);
}

function shift(range: Range, by: number): Range {
  return range[1] === 0 ? range : [range[0] + by, range[1] + by];
}

/** Bytes a span gets appended to its content while a batch is rewritten (`rewriteWire`). */
export interface Appender {
  /** Marks the appended bytes give each span (`SpanTable.marks`). */
  readonly marks?: number;
  /** How many bytes span `i` gets. */
  length(i: number): number;
  /** Writes them at `out[at]`. */
  write(i: number, out: Buffer, at: number): void;
}

const NONE_APPENDED: Appender = { length: () => 0, write: () => {} };

/**
 * A new request holding the spans `order` names (indexes into `src`, in the order given), each
 * under its own resource and scope, with `append`'s bytes added to each span's content (`src`'s
 * own appendix is not written: settle it first).
 */
export function rewriteWire(
  src: WireTraces,
  order: ArrayLike<number>,
  append: Appender = NONE_APPENDED,
): WireTraces {
  const s = src.spans;
  const n = order.length;
  const contentLength = new Uint32Array(n);
  // Runs of consecutive spans in one group form a ScopeSpans; runs of those in one resource a
  // ResourceSpans. Lengths first, so that every length prefix is written once, at its place.
  const scopeRuns: { group: number; from: number; to: number; length: number }[] = [];
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const len = s.end(i) - s.start(i) + append.length(i);
    contentLength[k] = len;
    const g = s.group(i);
    const last = scopeRuns[scopeRuns.length - 1];
    const size = 1 + varintSize(len) + len;
    if (last && last.group === g) {
      last.to = k + 1;
      last.length += size;
    } else {
      const group = src.groups[g]!;
      scopeRuns.push({
        group: g,
        from: k,
        to: k + 1,
        length: width(group.scope) + width(group.schemaUrl) + size,
      });
    }
  }
  const resourceRuns: { resource: WireResource; from: number; to: number; length: number }[] = [];
  for (let r = 0; r < scopeRuns.length; r++) {
    const run = scopeRuns[r]!;
    const resource = src.groups[run.group]!.resource;
    const size = 1 + varintSize(run.length) + run.length;
    const last = resourceRuns[resourceRuns.length - 1];
    if (last && last.resource === resource) {
      last.to = r + 1;
      last.length += size;
    } else {
      resourceRuns.push({
        resource,
        from: r,
        to: r + 1,
        length: width(resource.resource) + width(resource.schemaUrl) + size,
      });
    }
  }
  let total = 0;
  for (const run of resourceRuns) total += 1 + varintSize(run.length) + run.length;
  const out = Buffer.allocUnsafeSlow(total);
  const spans = new SpanTable(n);
  const groups: WireGroup[] = [];
  let pos = 0;
  const copy = (range: Range): Range => {
    if (range[1] === 0) return range;
    src.bytes.copy(out, pos, range[0], range[1]);
    const at: Range = [pos, pos + range[1] - range[0]];
    pos = at[1];
    return at;
  };
  for (let rr = 0; rr < resourceRuns.length; rr++) {
    const run = resourceRuns[rr]!;
    out[pos++] = REQUEST.resourceSpans;
    pos = writeVarint(out, pos, run.length);
    const resource: WireResource = {
      index: rr,
      resource: copy(run.resource.resource),
      schemaUrl: NO_RANGE,
    };
    for (let sr = run.from; sr < run.to; sr++) {
      const scopeRun = scopeRuns[sr]!;
      const group = src.groups[scopeRun.group]!;
      out[pos++] = RESOURCE_SPANS.scopeSpans;
      pos = writeVarint(out, pos, scopeRun.length);
      const newGroup: WireGroup = { resource, scope: copy(group.scope), schemaUrl: NO_RANGE };
      const groupIndex = groups.length;
      groups.push(newGroup);
      for (let k = scopeRun.from; k < scopeRun.to; k++) {
        const i = order[k]!;
        out[pos++] = SCOPE_SPANS.spans;
        pos = writeVarint(out, pos, contentLength[k]!);
        const start = pos;
        pos = copyBytes(src.bytes, s.start(i), s.end(i), out, pos);
        append.write(i, out, pos);
        pos = start + contentLength[k]!;
        spans.pushFrom(s, i, start, pos, groupIndex, append.marks);
      }
      newGroup.schemaUrl = copy(group.schemaUrl);
    }
    resource.schemaUrl = copy(run.resource.schemaUrl);
  }
  return new WireTraces(out, spans, groups);
}

/** Batches of at most `max` spans, in order (the input itself when it is small enough). */
export function splitWire(batch: WireTraces, max: number): WireTraces[] {
  const n = batch.spans.count;
  if (max <= 0 || n <= max) return [batch];
  const src = batch.settled();
  const out: WireTraces[] = [];
  for (let from = 0; from < n; from += max) {
    const to = Math.min(n, from + max);
    out.push(
      rewriteWire(
        src,
        Uint32Array.from({ length: to - from }, (_, k) => from + k),
      ),
    );
  }
  return out;
}

const NO_RANGE: Range = [0, 0];

/** 0, 1, …, n - 1. */
export function identity(n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}

function width(range: Range): number {
  return range[1] - range[0];
}

export function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x20_0000 ? 3 : v < 0x1000_0000 ? 4 : 5;
}

/** Writes `v` (an unsigned 32-bit value) as a varint at `out[pos]`; returns the position after it. */
export function writeVarint(out: Uint8Array, pos: number, v: number): number {
  while (v > 0x7f) {
    out[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[pos++] = v;
  return pos;
}
