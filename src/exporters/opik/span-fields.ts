import type { AnyValue, Attributes } from '../../pdata/traces.js';
import { type Adjustment, costNumber, normaliseTags, usageInt } from './limits.js';
import type { OpikSpanType } from './opik-types.js';
import { MOVED_FROM, PARKED } from './parked.js';
import { anyValueToJson, type Json } from './values.js';

/**
 * The canonical attributes of one span (docs/semantic-conventions.md), sorted into what Opik
 * has a field for. Everything Opik has no field for lands in `extra`, which becomes one JSON
 * object under `metadata["opik.metadata"]` on both paths (Opik would file unknown attributes
 * under `input`).
 */
export interface SpanFields {
  readonly type: OpikSpanType;
  readonly input?: string;
  readonly output?: string;
  /** Attributes Opik files under metadata by their own key (string values). */
  readonly nativeMetadata: ReadonlyArray<readonly [string, string]>;
  readonly threadId?: string;
  readonly tags: string[];
  readonly traceName?: string;
  readonly traceTags?: string[];
  /** Set only for `llm` spans; on other spans these values go to `extra`. */
  readonly llm?: {
    readonly model?: string;
    readonly modelKey?: 'gen_ai.request.model' | 'gen_ai.response.model';
    readonly provider?: string;
    readonly usage: Record<string, number>;
    readonly cost?: number;
  };
  readonly extra: Record<string, Json>;
}

const NATIVE_METADATA = new Set([
  'gen_ai.operation.name',
  'gen_ai.tool.name',
  'gen_ai.tool.call.id',
]);
/** Read by the exporter and not stored as such. */
const CONSUMED = new Set([
  'opik.trace_id',
  'opik.span_id',
  'opik.parent_span_id',
  'opik.span.type',
  'opik.trace.name',
  'opik.trace.tags',
  'opik.tags',
  'opik.metadata',
  'input.value',
  'input.mime_type',
  'output.value',
  'output.mime_type',
  'gen_ai.conversation.id',
  MOVED_FROM,
  PARKED,
]);
const LLM_ONLY =
  /^(gen_ai\.(request\.model|response\.model|provider\.name|system)|gen_ai\.usage\.)/;
const SPAN_TYPES: readonly string[] = ['general', 'tool', 'llm', 'guardrail'];
const TYPE_BY_OPERATION: Record<string, OpikSpanType> = {
  chat: 'llm',
  text_completion: 'llm',
  generate_content: 'llm',
  embeddings: 'llm',
  execute_tool: 'tool',
  apply_guardrail: 'guardrail',
};

/** Sorts a span's attributes; `context` adds resource and scope facts to `extra`. */
export function spanFields(
  attrs: Attributes,
  context: Record<string, Json>,
  adjust: (a: Adjustment) => void,
): SpanFields {
  const get = firstValues(attrs);
  const type = spanTypeOf(get('opik.span.type'), get('gen_ai.operation.name'));
  const extra: Record<string, Json> = { ...context, ...receiverMetadata(get('opik.metadata')) };
  const nativeMetadata: Array<[string, string]> = [];
  for (const { key, value } of attrs) {
    if (CONSUMED.has(key) || (type === 'llm' && LLM_ONLY.test(key))) continue;
    if (NATIVE_METADATA.has(key) && typeof value === 'string') nativeMetadata.push([key, value]);
    else extra[key] = anyValueToJson(value);
  }
  const traceTags = get('opik.trace.tags');
  return {
    type,
    input: text(get('input.value')),
    output: text(get('output.value')),
    nativeMetadata,
    threadId: text(get('gen_ai.conversation.id')),
    tags: normaliseTags(get('opik.tags'), adjust),
    traceName: text(get('opik.trace.name')),
    traceTags: traceTags === undefined ? undefined : normaliseTags(traceTags, adjust),
    llm: type === 'llm' ? llmFields(attrs, get, extra, adjust) : undefined,
    extra,
  };
}

/** Looks up attributes by key after one pass (the first value of a key wins, as in `getAttribute`). */
function firstValues(attrs: Attributes): (key: string) => AnyValue | undefined {
  const byKey = new Map<string, AnyValue>();
  for (const { key, value } of attrs) if (!byKey.has(key)) byKey.set(key, value);
  return (key) => byKey.get(key);
}

function spanTypeOf(explicit: AnyValue | undefined, operation: AnyValue | undefined): OpikSpanType {
  if (typeof explicit === 'string' && SPAN_TYPES.includes(explicit))
    return explicit as OpikSpanType;
  return (typeof operation === 'string' && TYPE_BY_OPERATION[operation]) || 'general';
}

function llmFields(
  attrs: Attributes,
  get: (key: string) => AnyValue | undefined,
  extra: Record<string, Json>,
  adjust: (a: Adjustment) => void,
) {
  const response = text(get('gen_ai.response.model'));
  const request = text(get('gen_ai.request.model'));
  if (response !== undefined && request !== undefined && request !== response) {
    extra['gen_ai.request.model'] = request;
  }
  const usage: Record<string, number> = {};
  let cost: number | undefined;
  for (const { key, value } of attrs) {
    if (!key.startsWith('gen_ai.usage.')) continue;
    if (key === 'gen_ai.usage.cost') {
      cost = costNumber(value);
      if (cost === undefined) keepAside(extra, key, value, adjust, 'cost_not_a_number');
      continue;
    }
    const n = usageInt(value);
    if (n === undefined) keepAside(extra, key, value, adjust, 'usage_not_an_integer');
    else usage[usageKey(key.slice('gen_ai.usage.'.length))] = n;
  }
  completeTotal(usage, extra);
  return {
    model: response ?? request,
    modelKey:
      response !== undefined
        ? ('gen_ai.response.model' as const)
        : request !== undefined
          ? ('gen_ai.request.model' as const)
          : undefined,
    provider: text(get('gen_ai.provider.name')) ?? text(get('gen_ai.system')),
    usage,
    cost,
  };
}

/** Opik's names for the OTel usage keys (it renames these two itself; we send them renamed). */
function usageKey(suffix: string): string {
  if (suffix === 'input_tokens') return 'prompt_tokens';
  if (suffix === 'output_tokens') return 'completion_tokens';
  return suffix;
}

/**
 * Opik adds `total_tokens` = prompt + completion when both are present; we send that sum
 * ourselves so both paths agree, keeping a different source total in `extra`.
 */
function completeTotal(usage: Record<string, number>, extra: Record<string, Json>): void {
  const { prompt_tokens: p, completion_tokens: c, total_tokens: t } = usage;
  if (p === undefined || c === undefined) return;
  if (t !== undefined && t !== p + c) extra['gen_ai.usage.total_tokens'] = t;
  usage.total_tokens = p + c;
}

function keepAside(
  extra: Record<string, Json>,
  key: string,
  value: AnyValue,
  adjust: (a: Adjustment) => void,
  why: Adjustment,
): void {
  extra[key] = anyValueToJson(value);
  adjust(why);
}

function receiverMetadata(value: AnyValue | undefined): Record<string, Json> {
  if (value === undefined) return {};
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        return parsed as Record<string, Json>;
      }
    } catch {
      // not a JSON object: kept as it came
    }
  }
  return { 'opik.metadata': anyValueToJson(value) };
}

function text(value: AnyValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  return JSON.stringify(anyValueToJson(value));
}
