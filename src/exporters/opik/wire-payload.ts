/**
 * `preparePayload` for a batch in its wire form: each span the fast mapping takes
 * (`wire-spans.ts`) becomes an entry that knows its facts and writes its OTLP form from the
 * batch's bytes; the others (tops of traces, spans stating their own things) are decoded one by
 * one and mapped by `mapping.ts`, as in a decoded batch. The payload is the one `preparePayload`
 * makes of the decoded batch: the same entries in the same order, the same trace rows and
 * placeholders, the same OTLP spans.
 */
import { ByteOut } from '../../otlp/byte-out.js';
import { decodeAt } from '../../otlp/proto-to-pdata.js';
import { FieldCursor } from '../../otlp/wire-fields.js';
import {
  EMPTY_RESOURCE,
  EMPTY_SCOPE,
  type ResourceSpans,
  type ScopeSpans,
  type Span,
} from '../../pdata/traces.js';
import type { Range, WireTraces } from '../../pdata/wire-traces.js';
import { assignedIds, withIds } from './assign-ids.js';
import {
  column,
  contextOf,
  isoMs,
  mapSpan,
  type OtlpForm,
  opikMetadata,
  type SpanRef,
  traceRowOf,
} from './mapping.js';
import type { OpikSpan, OpikTrace } from './opik-types.js';
import type { OpikEncoding } from './opik-version.js';
import type { Payload, PrepareOptions, SpanEntry } from './payload.js';
import { PayloadBuilder } from './payload-builder.js';
import { AssignedIds, UUID_TEXT } from './wire-ids.js';
import {
  classifyWireSpan,
  RowPool,
  WireSpan,
  wireBlocker,
  wireTexts,
  writeWireSpan,
} from './wire-spans.js';

/** The payload of a batch in its wire form; `undefined` when it holds received Opik objects. */
export function prepareWirePayload(given: WireTraces, o: PrepareOptions): Payload | undefined {
  // The ids `assignIdsWire` kept beside the batch are read from there; another appendix is
  // written first.
  const ids = given.appendix instanceof AssignedIds ? given.appendix : undefined;
  const batch = ids ? given : given.settled();
  const { bytes, spans } = batch;
  const context = new WireContext(batch, o, ids);
  const builder = new PayloadBuilder();
  for (let i = 0; i < spans.count; i++) {
    const entry = new WireEntry(context, i);
    const sorted = classifyWireSpan(
      bytes,
      spans.start(i),
      spans.end(i),
      context.rows,
      o.projectName,
      entry,
      ids && { ids, index: i },
    );
    if (sorted === 'received') return undefined;
    if (sorted === 'ok') builder.add(entry, entry.hasParent ? undefined : context.traceRow(entry));
    else {
      const { resource, scope } = context.group(spans.group(i));
      builder.addSpan(resource, scope, context.span(i), o);
    }
  }
  return builder.finish(o);
}

interface DecodedGroup {
  readonly resource: ResourceSpans;
  readonly scope: ScopeSpans;
  /** The JSON text (no braces) the span metadata of this group starts with. */
  readonly context: Uint8Array;
}

/** What the entries of one payload share: the batch, its decoded groups, the OTLP bytes written. */
class WireContext {
  private readonly groups: (DecodedGroup | undefined)[] = [];
  private readonly written = new Map<OpikEncoding, ByteOut>();
  readonly json = new ByteOut(1024);
  readonly rows = new RowPool();

  constructor(
    readonly batch: WireTraces,
    readonly options: PrepareOptions,
    private readonly ids: AssignedIds | undefined,
  ) {}

  /** Span `i` decoded, with its Opik ids as attributes (as in the batch once settled). */
  span(i: number): Span {
    const { bytes, spans } = this.batch;
    const span = decodeAt('span', bytes, spans.start(i), spans.end(i));
    if (!this.ids) return span;
    const ids = this.ids;
    return withIds(span, {
      traceId: ids.traceId(i),
      spanId: ids.spanText.toString('latin1', i * UUID_TEXT, (i + 1) * UUID_TEXT),
      parentSpanId: ids.hasParent(i)
        ? ids.parentText.toString('latin1', i * UUID_TEXT, (i + 1) * UUID_TEXT)
        : null,
    });
  }

  /** The resource and scope of group `g`, decoded once. */
  group(g: number): DecodedGroup {
    let decoded = this.groups[g];
    if (!decoded) {
      const { bytes, groups } = this.batch;
      const group = groups[g]!;
      const resource: ResourceSpans = {
        resource: decodeField(bytes, group.resource.resource, 'resource') ?? EMPTY_RESOURCE,
        scopeSpans: [],
        schemaUrl: '',
      };
      const scope: ScopeSpans = {
        scope: decodeField(bytes, group.scope, 'scope') ?? EMPTY_SCOPE,
        spans: [],
        schemaUrl: '',
      };
      const json = JSON.stringify(contextOf({ resource, scope }));
      decoded = { resource, scope, context: Buffer.from(json.slice(1, -1), 'utf8') };
      this.groups[g] = decoded;
    }
    return decoded;
  }

  /** The trace row the top of a trace stands for (`mapping.ts`: `traceRow` of its Opik object). */
  traceRow(entry: WireEntry): OpikTrace {
    const { bytes, spans } = this.batch;
    const { context } = this.group(spans.group(entry.index));
    const t = wireTexts(this.json, bytes, entry, context);
    return traceRowOf({
      trace_id: entry.trace_id,
      project_name: entry.project_name,
      name: entry.name,
      start_time: isoMs(entry.startMs),
      end_time: isoMs(entry.endMs),
      input: column('input.value', t.input),
      output: column('output.value', t.output),
      metadata: opikMetadata(t.nativeMetadata, t.threadId, t.extraJson, []),
      error_info: undefined,
      tags: [],
      threadId: t.threadId,
    });
  }

  /** Where the OTLP spans of one encoding are written (the batch's size is a fair first guess). */
  out(encoding: OpikEncoding): ByteOut {
    let out = this.written.get(encoding);
    if (!out) {
      // The spans' own bytes, their ids (3 × 55 bytes) and metadata: grown only when it is big.
      out = new ByteOut(this.batch.bytes.length * 2 + this.batch.spans.count * 256);
      this.written.set(encoding, out);
    }
    return out;
  }
}

function decodeField<T extends 'resource' | 'scope'>(bytes: Buffer, range: Range, what: T) {
  if (range[1] === 0) return undefined;
  const c = new FieldCursor().reset(bytes, range[0], range[1]);
  c.next();
  return decodeAt(what, bytes, c.start, c.end);
}

/**
 * A span the fast mapping took: its facts (it is its own `SpanRef`), its Opik object and OTLP
 * form when asked.
 */
class WireEntry extends WireSpan implements SpanEntry {
  done = false;
  readonly parkedIn = undefined;
  private built: OpikSpan | undefined;
  // Its OTLP form, as numbers: objects kept beside each span until Opik answers would outlive
  // the young generation's collections (docs/benchmarks.md).
  private encoding: OpikEncoding | undefined;
  private blocked: string | undefined;
  /** Where its message sits in the context's output for `encoding`. */
  private from = 0;
  private to = 0;

  constructor(
    private readonly context: WireContext,
    readonly index: number,
  ) {
    super();
  }

  get ref(): SpanRef {
    return this;
  }

  /** The Opik object (REST, dead letters): the span decoded and mapped by `mapping.ts`. */
  get opik(): OpikSpan {
    if (!this.built) {
      const span = this.context.span(this.index);
      const { resource, scope } = this.context.group(this.context.batch.spans.group(this.index));
      this.built = mapSpan(
        { resource, scope, span, ids: assignedIds(span) },
        this.context.options,
      ).opik();
    }
    return this.built;
  }

  otlp(encoding: OpikEncoding): OtlpForm {
    if (this.encoding !== encoding) this.write(encoding);
    if (this.blocked !== undefined) return { blocker: this.blocked };
    return { message: this.context.out(encoding).buf.subarray(this.from, this.to) };
  }

  private write(encoding: OpikEncoding): void {
    this.encoding = encoding;
    this.blocked = wireBlocker(this, encoding);
    if (this.blocked !== undefined) return;
    const { bytes, spans } = this.context.batch;
    const i = this.index;
    const out = this.context.out(encoding);
    this.from = out.pos;
    const { context } = this.context.group(spans.group(i));
    writeWireSpan(
      out,
      this.context.json,
      bytes,
      spans.start(i),
      spans.end(i),
      this,
      encoding,
      context,
    );
    this.to = out.pos;
  }
}
