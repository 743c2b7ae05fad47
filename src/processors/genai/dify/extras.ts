import { createHash } from 'node:crypto';
import type { KeyValue, Span } from '../../../pdata/traces.js';
import type { Group, Held, Rebuilt } from './group.js';
import type { Released } from './hold.js';
import { difyTime } from './span-reader.js';

/** Remembers the rebuilt ids of node spans, for the provider spans that hang under them. */
export function rememberNodes(g: Group, nodes: readonly Held[], rebuilt: readonly Span[]): void {
  // The `dify` mapping returns a run's node spans last, in the order of its rows.
  const nodeSpans = rebuilt.slice(rebuilt.length - nodes.length);
  for (const [i, h] of nodes.entries()) g.rebuilt.set(h.ctx.span.spanId, idsOf(nodeSpans[i]!));
}

/**
 * Spans without an envelope counterpart (Aliyun's ReAct steps, thoughts and tool calls under
 * an agent node, sent with random ids): moved under their rebuilt parent, with ids seeded on
 * it, so a re-send gives the same spans. Parents first; an orphan goes on as it came.
 */
export function placeExtras(g: Group, spans: readonly Held[]): Released[] {
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
