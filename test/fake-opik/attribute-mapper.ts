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

/** Opik's `enrichSpanWithAttributes` as reference/opik.md §2 describes it. */
export function mapAttributes(span: OtelSpan, rules: readonly Rule[]): MappedAttributes {
  const out: MappedAttributes = { type: 'general', metadata: {} };
  const input: JsonObject = {};
  const output: JsonObject = {};
  const usage: Record<string, number> = {};
  for (const { key, value } of span.attributes) {
    const rule = findRule(rules, key);
    if (!rule) {
      putColumn(input, key, value);
      continue;
    }
    if (rule.spanType) out.type = rule.spanType;
    apply(rule, key, value, { out, input, output, usage });
  }
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
}

function apply(rule: Rule, key: string, value: OtelValue, s: Sinks): void {
  switch (rule.outcome) {
    case 'INPUT':
      putColumn(s.input, key, value);
      return;
    case 'OUTPUT':
      putColumn(s.output, key, value);
      return;
    case 'METADATA':
      putColumn(s.out.metadata, key, value);
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
