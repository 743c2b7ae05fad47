import {
  amount,
  count,
  indexed,
  parseJson,
  payload,
  plain,
  providerName,
  text,
} from '../values.js';
import type { WorkingAttributes } from '../working-attributes.js';
import { KIND_TO_CANONICAL } from './kinds.js';

/** True when the span speaks OpenInference (Phoenix/Arize instrumentors, Dify's Phoenix provider). */
export function isOpenInference(w: WorkingAttributes): boolean {
  return (
    w.has('openinference.span.kind') ||
    w.keys('llm.').length > 0 ||
    w.has('session.id') ||
    w.has('tag.tags') ||
    w.keys('retrieval.documents.').length > 0
  );
}

/**
 * OpenInference (Arize-ai/openinference spec/semantic_conventions.md) → canonical attributes:
 * kind → operation, `llm.*` model/provider/token counts/cost, flattened messages and documents →
 * `input.value`/`output.value`, `session.id` → conversation, `tag.tags` → tags, `metadata` →
 * `opik.metadata`. What has no canonical name goes to metadata.
 */
export function fromOpenInference(w: WorkingAttributes): void {
  const kind = text(w.take('openinference.span.kind'));
  if (kind) {
    const c = KIND_TO_CANONICAL[kind.toUpperCase()];
    w.setDefault('gen_ai.operation.name', c?.operation);
    w.setDefault('opik.span.type', c?.spanType);
    w.addMetadata('openinference.span.kind', kind);
  }
  w.setDefault(
    'gen_ai.request.model',
    text(w.take('llm.request.model_name')) ?? text(w.get('llm.model_name')),
  );
  w.setDefault('gen_ai.response.model', text(w.take('llm.response.model_name')));
  w.take('llm.model_name');
  const provider = text(w.take('llm.provider')) ?? text(w.take('llm.system'));
  if (provider) w.setDefault('gen_ai.provider.name', providerName(provider));
  tokens(w);
  messages(w, 'llm.input_messages', 'input');
  messages(w, 'llm.output_messages', 'output');
  documents(w);
  const session = text(w.take('session.id'));
  w.setDefault('gen_ai.conversation.id', session);
  w.toMetadata('user.id');
  tags(w, w.take('tag.tags'));
  metadataJson(w, w.take('metadata'));
  w.setDefault('gen_ai.tool.name', text(w.take('tool.name')));
  w.setDefault('gen_ai.tool.call.id', text(w.take('tool_call.id')));
  for (const key of [
    ...w.keys('llm.'),
    ...w.keys('tool.'),
    ...w.keys('tool_call.'),
    ...w.keys('embedding.'),
    ...w.keys('reranker.'),
  ]) {
    if (!key.endsWith('.vector')) w.toMetadata(key, key);
    else w.take(key);
  }
}

function tokens(w: WorkingAttributes): void {
  const pairs: Array<[string, string]> = [
    ['llm.token_count.prompt', 'gen_ai.usage.input_tokens'],
    ['llm.token_count.completion', 'gen_ai.usage.output_tokens'],
    ['llm.token_count.total', 'gen_ai.usage.total_tokens'],
    ['llm.token_count.prompt_details.cache_read', 'gen_ai.usage.cache_read.input_tokens'],
    ['llm.token_count.completion_details.reasoning', 'gen_ai.usage.reasoning.output_tokens'],
  ];
  for (const [from, to] of pairs) {
    const raw = w.get(from);
    if (raw === undefined) continue;
    const n = count(raw);
    if (n === undefined) w.toMetadata(from);
    else {
      w.take(from);
      w.setDefault(to, n);
    }
  }
  const cost = amount(w.get('llm.cost.total'));
  if (cost !== undefined) {
    w.take('llm.cost.total');
    w.setDefault('gen_ai.usage.cost', cost);
  }
}

/** `llm.input_messages.N.message.*` → `{messages: [...]}` as the payload, unless there is one. */
function messages(w: WorkingAttributes, prefix: string, side: 'input' | 'output'): void {
  const keys = w.keys(`${prefix}.`);
  if (keys.length === 0) return;
  const list = indexed(keys, prefix, (k) => w.take(k), 'message.');
  if (!w.has(`${side}.value`)) setPayload(w, side, { messages: list });
}

function documents(w: WorkingAttributes): void {
  const keys = w.keys('retrieval.documents.');
  if (keys.length === 0) return;
  const docs = indexed(keys, 'retrieval.documents', (k) => w.take(k), 'document.');
  if (!w.has('output.value')) setPayload(w, 'output', { documents: docs });
}

export function setPayload(w: WorkingAttributes, side: 'input' | 'output', value: unknown): void {
  if (w.has(`${side}.value`)) return;
  const p = payload(value);
  w.set(`${side}.value`, p.value);
  w.set(`${side}.mime_type`, p.mime);
}

export function tags(w: WorkingAttributes, raw: unknown): void {
  const list = Array.isArray(raw)
    ? raw.filter((t): t is string => typeof t === 'string')
    : typeof raw === 'string'
      ? (() => {
          const parsed = parseJson(raw);
          return Array.isArray(parsed) ? parsed.map(String) : raw.split(',').map((t) => t.trim());
        })()
      : [];
  if (list.length === 0) return;
  const existing = w.get('opik.tags');
  const merged = [
    ...(Array.isArray(existing) ? existing.filter((t): t is string => typeof t === 'string') : []),
    ...list,
  ];
  w.set('opik.tags', [...new Set(merged.filter((t) => t !== ''))]);
}

/** A `metadata` attribute (JSON text) merged into `opik.metadata`, key by key. */
export function metadataJson(w: WorkingAttributes, raw: unknown): void {
  if (raw === undefined) return;
  const parsed = typeof raw === 'string' ? parseJson(raw) : plain(raw as never);
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    for (const [k, v] of Object.entries(parsed)) w.addMetadata(k, v);
  } else w.addMetadata('metadata', parsed);
}
