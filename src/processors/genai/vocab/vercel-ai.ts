import { amount, count, parseJson, providerName, text } from '../values.js';
import type { WorkingAttributes } from '../working-attributes.js';
import { setPayload } from './openinference.js';

/** True for spans of the Vercel AI SDK's telemetry (`ai.*`). */
export function isVercelAi(w: WorkingAttributes): boolean {
  return w.has('ai.operationId') || w.keys('ai.').length > 0;
}

const CALLS = /^ai\.(generateText|streamText|generateObject|streamObject)\.(doGenerate|doStream)$/;
const EMBEDS = /^ai\.(embed|embedMany)\.doEmbed$/;

/**
 * The Vercel AI SDK (`ai.*`, ai-sdk.dev/docs/ai-sdk-core/telemetry): operation from
 * `ai.operationId`, model and provider, prompt and response payloads, token usage (v4 and v5
 * names), tool calls, and `ai.telemetry.metadata.*` into metadata.
 */
export function fromVercelAi(w: WorkingAttributes): void {
  const op = text(w.take('ai.operationId'));
  if (op) {
    if (CALLS.test(op)) w.setDefault('gen_ai.operation.name', 'chat');
    else if (EMBEDS.test(op)) w.setDefault('gen_ai.operation.name', 'embeddings');
    else if (op === 'ai.toolCall') w.setDefault('gen_ai.operation.name', 'execute_tool');
    w.addMetadata('ai.operationId', op);
  }
  w.setDefault('gen_ai.request.model', text(w.take('ai.model.id')));
  const provider = text(w.take('ai.model.provider'));
  if (provider) w.setDefault('gen_ai.provider.name', providerName(provider));
  const messages = text(w.take('ai.prompt.messages'));
  if (messages !== undefined) setPayload(w, 'input', { messages: parseJson(messages) });
  const prompt = text(w.take('ai.prompt'));
  if (prompt !== undefined) setPayload(w, 'input', parseJson(prompt));
  for (const key of ['ai.response.text', 'ai.response.object', 'ai.response.toolCalls']) {
    const v = text(w.take(key));
    if (v !== undefined) setPayload(w, 'output', key === 'ai.response.text' ? v : parseJson(v));
  }
  const usage: Array<[string, string]> = [
    ['ai.usage.promptTokens', 'gen_ai.usage.input_tokens'],
    ['ai.usage.inputTokens', 'gen_ai.usage.input_tokens'],
    ['ai.usage.completionTokens', 'gen_ai.usage.output_tokens'],
    ['ai.usage.outputTokens', 'gen_ai.usage.output_tokens'],
    ['ai.usage.totalTokens', 'gen_ai.usage.total_tokens'],
    ['ai.usage.cachedInputTokens', 'gen_ai.usage.cache_read.input_tokens'],
    ['ai.usage.reasoningTokens', 'gen_ai.usage.reasoning.output_tokens'],
  ];
  for (const [from, to] of usage) {
    const n = count(w.get(from));
    if (n === undefined) continue;
    w.take(from);
    w.setDefault(to, n);
  }
  const cost = amount(w.get('ai.usage.cost'));
  if (cost !== undefined) {
    w.take('ai.usage.cost');
    w.setDefault('gen_ai.usage.cost', cost);
  }
  w.setDefault('gen_ai.tool.name', text(w.take('ai.toolCall.name')));
  w.setDefault('gen_ai.tool.call.id', text(w.take('ai.toolCall.id')));
  for (const key of ['ai.toolCall.args', 'ai.toolCall.input']) {
    const v = text(w.take(key));
    if (v !== undefined) setPayload(w, 'input', parseJson(v));
  }
  for (const key of ['ai.toolCall.result', 'ai.toolCall.output']) {
    const v = text(w.take(key));
    if (v !== undefined) setPayload(w, 'output', parseJson(v));
  }
  for (const key of w.keys('ai.telemetry.metadata.'))
    w.toMetadata(key, key.slice('ai.telemetry.metadata.'.length));
  for (const key of w.keys('ai.')) w.toMetadata(key);
  for (const key of ['operation.name', 'resource.name']) w.toMetadata(key);
}
