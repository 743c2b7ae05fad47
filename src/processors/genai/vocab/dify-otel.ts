import { parseJson, text } from '../values.js';
import type { WorkingAttributes } from '../working-attributes.js';
import { KIND_TO_CANONICAL } from './kinds.js';
import { setPayload } from './openinference.js';

/** True for spans of Dify's Aliyun and Tencent tracing providers (reference/dify.md §4). */
export function isDifyOtel(w: WorkingAttributes): boolean {
  return w.has('gen_ai.span.kind') || w.has('gen_ai.entity.input') || w.has('gen_ai.entity.output');
}

/**
 * Dify's Aliyun provider (`gen_ai.span.kind`, `gen_ai.session.id`, `gen_ai.user.id`,
 * `retrieval.query`/`retrieval.document`, token counts as strings) and Tencent's
 * (`gen_ai.entity.input`/`output`, kinds WORKFLOW and GENERATION) → canonical attributes.
 */
export function fromDifyOtel(w: WorkingAttributes): void {
  const kind = text(w.take('gen_ai.span.kind'));
  if (kind) {
    const c = KIND_TO_CANONICAL[kind.toUpperCase()];
    w.setDefault('gen_ai.operation.name', c?.operation);
    w.setDefault('opik.span.type', c?.spanType);
    w.addMetadata('gen_ai.span.kind', kind);
  }
  w.setDefault('gen_ai.conversation.id', text(w.take('gen_ai.session.id')));
  w.setDefault('dify.user_id', text(w.take('gen_ai.user.id')));
  for (const [from, side] of [
    ['gen_ai.entity.input', 'input'],
    ['gen_ai.entity.output', 'output'],
    ['retrieval.query', 'input'],
    ['retrieval.document', 'output'],
  ] as const) {
    const v = text(w.take(from));
    if (v !== undefined) setPayload(w, side, parseJson(v));
  }
  for (const key of [
    'gen_ai.framework',
    'gen_ai.is_entry',
    'gen_ai.response.finish_reason',
    'llm.is_streaming',
  ]) {
    w.toMetadata(key);
  }
}
