import { count, indexed, parseJson, providerName, text } from '../values.js';
import type { WorkingAttributes } from '../working-attributes.js';
import { setPayload } from './openinference.js';

const REQUEST_TYPE: Record<string, string> = {
  chat: 'chat',
  completion: 'text_completion',
  embedding: 'embeddings',
};
const TRACELOOP_KIND: Record<string, string> = {
  workflow: 'invoke_workflow',
  agent: 'invoke_agent',
  tool: 'execute_tool',
};

/**
 * OpenLLMetry (traceloop): `gen_ai.prompt.N.*` / `gen_ai.completion.N.*` messages, `llm.usage.*`,
 * `llm.request.type`, and `traceloop.*` entity payloads and kinds.
 */
export function fromOpenLlmetry(w: WorkingAttributes): void {
  const prompts = w.keys('gen_ai.prompt.');
  if (prompts.length > 0) {
    const list = indexed(prompts, 'gen_ai.prompt', (k) => w.take(k));
    setPayload(w, 'input', { messages: list });
  }
  const completions = w.keys('gen_ai.completion.');
  if (completions.length > 0) {
    const list = indexed(completions, 'gen_ai.completion', (k) => w.take(k));
    setPayload(w, 'output', { messages: list });
  }
  const type = text(w.take('llm.request.type'));
  if (type) w.setDefault('gen_ai.operation.name', REQUEST_TYPE[type] ?? type);
  const total = count(w.get('llm.usage.total_tokens'));
  if (total !== undefined) {
    w.take('llm.usage.total_tokens');
    w.setDefault('gen_ai.usage.total_tokens', total);
  }
  const kind = text(w.take('traceloop.span.kind'));
  if (kind) {
    w.setDefault('gen_ai.operation.name', TRACELOOP_KIND[kind]);
    w.addMetadata('traceloop.span.kind', kind);
  }
  for (const side of ['input', 'output'] as const) {
    const v = text(w.take(`traceloop.entity.${side}`));
    if (v !== undefined) setPayload(w, side, parseJson(v));
  }
  for (const key of w.keys('traceloop.')) w.toMetadata(key);
  for (const key of w.keys('llm.')) if (OPENLLMETRY_LLM.test(key)) w.toMetadata(key);
}

/** OpenLLMetry's own `llm.*` keys (OpenInference owns the rest of that namespace). */
const OPENLLMETRY_LLM =
  /^llm\.(usage\.|request\.|response\.|is_streaming$|frequency_penalty$|presence_penalty$|top_k$|user$|headers$|chat\.stop_sequences$)/;

/** Older and newer OTel GenAI names → the current ones. */
export function fromGenAiSemconv(w: WorkingAttributes): void {
  const system = text(w.get('gen_ai.system'));
  if (system) {
    w.take('gen_ai.system');
    w.setDefault('gen_ai.provider.name', providerName(system));
  }
  const provider = text(w.get('gen_ai.provider.name'));
  if (provider && providerName(provider) !== provider)
    w.set('gen_ai.provider.name', providerName(provider));
  const renames: Array<[string, string]> = [
    ['gen_ai.usage.prompt_tokens', 'gen_ai.usage.input_tokens'],
    ['gen_ai.usage.completion_tokens', 'gen_ai.usage.output_tokens'],
    ['gen_ai.usage.cache_read_input_tokens', 'gen_ai.usage.cache_read.input_tokens'],
  ];
  for (const [from, to] of renames) {
    const n = count(w.get(from));
    if (n === undefined) continue;
    w.take(from);
    w.setDefault(to, n);
  }
  // Token counts sent as strings (Dify's Aliyun provider does) become ints; anything that is not
  // a count goes to metadata: a non-numeric string under gen_ai.usage.* fails Opik's whole batch.
  for (const key of w.keys('gen_ai.usage.')) {
    if (key === 'gen_ai.usage.cost') continue;
    const raw = w.get(key);
    if (typeof raw === 'bigint') continue;
    const n = count(raw);
    if (n === undefined) w.toMetadata(key);
    else w.set(key, n);
  }
  for (const [from, side] of [
    ['gen_ai.prompt', 'input'],
    ['gen_ai.completion', 'output'],
    ['gen_ai.input.messages', 'input'],
    ['gen_ai.output.messages', 'output'],
  ] as const) {
    const v = text(w.get(from));
    if (v === undefined) continue;
    w.take(from);
    setPayload(w, side, from.endsWith('messages') ? { messages: parseJson(v) } : parseJson(v));
  }
  w.toMetadata('gen_ai.system_instructions');
}
