import { SpanKind } from '../../../pdata/traces.js';
import { isObject, type JsonObject } from './reader.js';
import type { GenAiFacts } from './span-builder.js';
import { count, decimal, type JsonColumn } from './values.js';

/** What a node's type says about its span: kind, GenAI facts, and the input an LLM was given. */
export interface NodeKind {
  readonly kind: SpanKind;
  readonly genAi: GenAiFacts;
  /** Replaces the node's inputs as the span input (an LLM node's prompt messages). */
  readonly input?: unknown;
}

/** Node types that call a model and report `process_data.{model_mode, prompts, usage}`. */
const MODEL_NODES = new Set(['llm', 'question-classifier', 'parameter-extractor']);

export interface NodeColumns {
  readonly nodeType: string;
  readonly title: string;
  readonly inputs: JsonColumn;
  readonly processData: JsonColumn;
  readonly outputs: JsonColumn;
  readonly executionMetadata: JsonObject;
}

export function nodeKind(c: NodeColumns): NodeKind {
  if (MODEL_NODES.has(c.nodeType)) return modelNode(c);
  switch (c.nodeType) {
    case 'knowledge-retrieval':
      return {
        kind: SpanKind.CLIENT,
        // No `gen_ai.data_source.id`: finding it means decoding the documents (README, "Performance").
        genAi: { operation: 'retrieval', spanType: 'tool' },
      };
    case 'tool':
      return { kind: SpanKind.INTERNAL, genAi: { operation: 'execute_tool', toolName: c.title } };
    case 'agent':
      return { kind: SpanKind.INTERNAL, genAi: { operation: 'invoke_agent', ...tokens(c) } };
    case 'http-request':
      return { kind: SpanKind.CLIENT, genAi: { spanType: 'tool' } };
    default:
      return { kind: SpanKind.INTERNAL, genAi: tokens(c) };
  }
}

function modelNode(c: NodeColumns): NodeKind {
  const processData = c.processData.value;
  const usage = field(processData, 'usage') ?? field(c.outputs.value, 'usage');
  const mode = field(processData, 'model_mode');
  return {
    kind: SpanKind.CLIENT,
    genAi: {
      operation: mode === 'completion' ? 'text_completion' : 'chat',
      provider: str(
        field(processData, 'model_provider') ?? field(c.inputs.value, 'model_provider'),
      ),
      model: str(field(processData, 'model_name') ?? field(c.inputs.value, 'model_name')),
      inputTokens: count(field(usage, 'prompt_tokens')),
      outputTokens: count(field(usage, 'completion_tokens')),
      totalTokens: count(field(usage, 'total_tokens')) ?? count(c.executionMetadata.total_tokens),
      costUsd: usdCost(isObject(usage) ? usage : c.executionMetadata),
    },
    input: field(processData, 'prompts'),
  };
}

/** Token totals of a node that is not a model call, when it used any. */
function tokens(c: NodeColumns): GenAiFacts {
  const total = count(c.executionMetadata.total_tokens);
  return total ? { totalTokens: total } : {};
}

/** Dify's price when it is in USD (`gen_ai.usage.cost` is USD; other currencies stay metadata). */
export function usdCost(priced: JsonObject): number | undefined {
  return priced.currency === 'USD' ? decimal(priced.total_price) : undefined;
}

/** The dataset id when every retrieved document comes from the same one. */
export function singleDataset(docs: unknown): string | undefined {
  if (!Array.isArray(docs)) return undefined;
  const ids = new Set(docs.map((d) => str(field(field(d, 'metadata'), 'dataset_id'))));
  const [only] = ids;
  return ids.size === 1 ? only : undefined;
}

export function field(value: unknown, key: string): unknown {
  return isObject(value) ? (value[key] ?? undefined) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
