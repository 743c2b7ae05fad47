import type { OtelAttribute, OtelSpan, OtelValue } from './otlp-decode.js';
import { findRule, type Rule } from './rules.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };
type JsonObject = { [k: string]: JsonValue };

/** Opik's 400 for a usage value it cannot read; the whole request fails. */
export class UsageParseError extends Error {}

export interface MappedAttributes {
  type: 'general' | 'llm' | 'tool';
  input?: JsonObject;
  output?: JsonObject;
  metadata: JsonObject;
  usage?: Record<string, number>;
  model?: string;
  provider?: string;
  cost?: number;
  tags?: string[];
}

const USAGE_RENAMES: Record<string, string> = {
  input_tokens: 'prompt_tokens',
  output_tokens: 'completion_tokens',
  cache_read_tokens: 'cache_read_input_tokens',
  cache_creation_tokens: 'cache_creation_input_tokens',
};

/** How the mapping differs per version (`version.ts`). */
export interface MapperOptions {
  /** 2.2 (PR #7499): prefix rules store under the stripped key; bare JSON objects merge. */
  readonly strippedKeys: boolean;
  /** 2.2 (PR #7909): `gen_ai.provider.name`, then the provider alias map. */
  readonly providerName: boolean;
}

/** Opik's `enrichSpanWithAttributes` as reference/opik.md §2 describes it. */
export function mapAttributes(
  span: OtelSpan,
  rules: readonly Rule[],
  options: MapperOptions,
): MappedAttributes {
  const out: MappedAttributes = { type: 'general', metadata: {} };
  const input: JsonObject = {};
  const output: JsonObject = {};
  const usage: Record<string, number> = {};
  const sinks: Sinks = { out, input, output, usage, strippedKeys: options.strippedKeys };
  for (const { key, value } of span.attributes) {
    const rule = findRule(rules, key);
    if (!rule) {
      putColumn(input, key, value);
      continue;
    }
    if (rule.spanType) out.type = rule.spanType;
    apply(rule, key, value, sinks);
  }
  // PR #7909: `gen_ai.provider.name` counts only when `gen_ai.system` is blank.
  if ((out.provider === undefined || out.provider.trim() === '') && sinks.providerName) {
    out.provider = sinks.providerName;
  }
  if (out.provider !== undefined) out.provider = normaliseProvider(out, options.providerName);
  if (out.metadata['gen_ai.operation.name'] === 'invoke_agent') out.type = 'general';
  if (usage.prompt_tokens !== undefined && usage.completion_tokens !== undefined) {
    usage.total_tokens ??= usage.prompt_tokens + usage.completion_tokens;
  }
  if (Object.keys(input).length > 0) out.input = input;
  if (Object.keys(output).length > 0) out.output = output;
  if (Object.keys(usage).length > 0) out.usage = usage;
  return out;
}

interface Sinks {
  out: MappedAttributes;
  input: JsonObject;
  output: JsonObject;
  usage: Record<string, number>;
  strippedKeys: boolean;
  providerName?: string;
}

function apply(rule: Rule, key: string, value: OtelValue, s: Sinks): void {
  switch (rule.outcome) {
    case 'INPUT':
      putBucket(s.input, rule, key, value, s.strippedKeys);
      return;
    case 'OUTPUT':
      putBucket(s.output, rule, key, value, s.strippedKeys);
      return;
    case 'METADATA':
      putBucket(s.out.metadata, rule, key, value, s.strippedKeys);
      return;
    case 'PROVIDER_NAME':
      s.providerName = value.kind === 'string' ? value.value : '';
      return;
    case 'MODEL':
      s.out.model = value.kind === 'string' ? value.value : '';
      return;
    case 'PROVIDER':
      s.out.provider = value.kind === 'string' ? value.value : '';
      return;
    case 'USAGE':
      readUsage(s.usage, rule, key, value);
      return;
    case 'COST': {
      const n =
        value.kind === 'string'
          ? Number(value.value.trim())
          : Number(value.kind === 'int' || value.kind === 'double' ? value.value : Number.NaN);
      if (Number.isFinite(n)) s.out.cost = n;
      return;
    }
    case 'TAGS':
      s.out.tags = readTags(value);
      return;
    case 'THREAD_ID':
      if (!('thread_id' in s.out.metadata)) putColumn(s.out.metadata, 'thread_id', value);
      return;
    case 'DROP':
      return;
  }
}

/** Keys a merged JSON object never sets (2.2's `mergeJsonObjectOrFallback`). */
const RESERVED = new Set(['thread_id', 'integration', 'server.address']);

/**
 * Stores an INPUT/OUTPUT/METADATA attribute. 2.1.23: under its full key. 2.2 (PR #7499): under
 * `storageKey`; an empty storage key with a JSON-object text merges the object's fields (reserved
 * keys skipped), anything else stays under the rule's key.
 */
function putBucket(
  node: JsonObject,
  rule: Rule,
  key: string,
  value: OtelValue,
  strippedKeys: boolean,
): void {
  const storage = strippedKeys ? storageKey(rule, key) : key;
  const merged = storage === '' && value.kind === 'string' ? jsonObject(value.value) : undefined;
  if (merged) {
    for (const [k, v] of Object.entries(merged)) if (!RESERVED.has(k)) node[k] = v;
  } else putColumn(node, storage === '' ? rule.rule : storage, value);
}

/** `OpenTelemetryMappingUtils.storageKey` (2.2): a prefix rule's key without the prefix. */
export function storageKey(rule: Rule, key: string): string {
  if (!rule.prefix) return key;
  const suffix = key.slice(rule.rule.length);
  if (suffix === '' || suffix.startsWith('.') || rule.rule.endsWith('.')) {
    return suffix.startsWith('.') ? suffix.slice(1) : suffix;
  }
  return key;
}

function jsonObject(text: string): JsonObject | undefined {
  const t = text.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return undefined;
  try {
    const parsed: unknown = JSON.parse(t);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as JsonObject)
      : undefined;
  } catch {
    return undefined;
  }
}

const PROVIDER_ALIASES: Record<string, string> = {
  vertex_ai: 'google_vertexai',
  'gcp.vertex_ai': 'google_vertexai',
  'gcp.gemini': 'google_ai',
  'aws.bedrock': 'bedrock',
  'az.ai.openai': 'azure',
  'azure.ai.openai': 'azure',
  mistral_ai: 'mistral',
  x_ai: 'xai',
};

/**
 * The provider after Opik's rewriting (reference/opik.md §2, "Provider rewriting"): 2.2 maps the
 * aliases of `GenAiProviderAliasResolver` (trimmed, lower-cased), then both versions resolve
 * Google (`google`; 2.2 also `gcp.gen_ai`) to `google_vertexai` or `google_ai` by the
 * `server.address` kept in metadata. The reference does not spell out that test; the fake calls
 * an address naming `aiplatform` Vertex AI. The Elastic Inference Service resolver is left out.
 */
function normaliseProvider(out: MappedAttributes, aliases: boolean): string {
  let provider = out.provider!;
  if (aliases) provider = PROVIDER_ALIASES[provider.trim().toLowerCase()] ?? provider;
  const google = aliases ? ['google', 'gcp.gen_ai'] : ['google'];
  if (!google.includes(provider.trim().toLowerCase())) return provider;
  const address = out.metadata['server.address'];
  return typeof address === 'string' && address.includes('aiplatform')
    ? 'google_vertexai'
    : 'google_ai';
}

/** Opik's `extractToJsonColumn`. */
export function putColumn(node: JsonObject, key: string, value: OtelValue): void {
  switch (value.kind) {
    case 'string':
      node[key] = columnText(value.value);
      return;
    case 'int':
      node[key] = Number(value.value);
      return;
    case 'double':
    case 'bool':
      node[key] = value.value;
      return;
    case 'array':
      node[key] = value.value.map((v) => (v.kind === 'string' ? v.value : ''));
      return;
    default:
      // kvlist, bytes, empty: Opik logs "Unsupported attribute" and keeps nothing.
      return;
  }
}

function columnText(text: string): JsonValue {
  const first = text[0];
  if (first !== '"' && first !== '[' && first !== '{') return text;
  let node: JsonValue;
  try {
    node = JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
  if (typeof node !== 'string') return node;
  try {
    return JSON.parse(node) as JsonValue;
  } catch {
    return node;
  }
}

function readUsage(usage: Record<string, number>, rule: Rule, key: string, value: OtelValue): void {
  const suffix = rule.prefix ? key.slice(rule.rule.length) : key;
  const name = (k: string) => USAGE_RENAMES[k] ?? k;
  if (value.kind === 'int') {
    usage[name(suffix)] = Number(BigInt.asIntN(32, value.value));
    return;
  }
  if (value.kind !== 'string') return;
  const text = value.value;
  if (/^[+-]?\d+$/.test(text) && Math.abs(Number(text)) <= 2 ** 31 - 1) {
    usage[name(suffix)] = Number(text);
    return;
  }
  let node: unknown;
  try {
    node = JSON.parse(text);
  } catch (err) {
    throw new UsageParseError(
      `Failed to parse JSON string for usage field ${key}: ${(err as Error).message}`,
    );
  }
  if (typeof node === 'string') {
    try {
      node = JSON.parse(node);
    } catch {
      return;
    }
  }
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
  for (const [k, v] of Object.entries(node)) {
    if (typeof v === 'number') usage[name(k)] = Math.trunc(v);
  }
}

function readTags(value: OtelValue): string[] {
  if (value.kind === 'array') {
    return value.value
      .filter((v): v is { kind: 'string'; value: string } => v.kind === 'string')
      .map((v) => v.value.trim())
      .filter((t) => t !== '');
  }
  if (value.kind !== 'string') return [];
  const text = value.value;
  if (text.startsWith('[') && text.endsWith(']')) {
    try {
      const arr: unknown = JSON.parse(text);
      if (Array.isArray(arr)) {
        return arr
          .filter((t): t is string => typeof t === 'string')
          .map((t) => t.trim())
          .filter(Boolean);
      }
    } catch {
      // fall through to comma-separated
    }
  }
  return text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

export type { OtelAttribute };
