import { ItemError, type Reader } from './reader.js';

/**
 * Value helpers for Dify payloads: JSON columns that arrive as text or already parsed, Decimals
 * written as strings (`"0.0042340"`, `"0E-7"`), and Dify's plugin provider ids.
 */

/**
 * A `workflow_node_executions` JSON column, as JSON text (the table's form) or already parsed.
 * Text is parsed only when a field inside is needed, and otherwise passed on as it came: node
 * inputs and outputs are most of a run's bytes, and re-encoding them would cost more than all
 * the rest of the mapping (bench/dify.mjs).
 */
export class JsonColumn {
  private parsed?: { value: unknown };
  private readonly raw: unknown;

  /** The column `key` of `row`; its key path is worked out only for an error. */
  constructor(
    private readonly row: Reader,
    private readonly key: string,
  ) {
    this.raw = row.raw(key);
  }

  /** The decoded value (undefined for a missing, null or empty column). */
  get value(): unknown {
    if (!this.parsed) this.parsed = { value: this.decode() };
    return this.parsed.value;
  }

  /** The value as `input.value`/`output.value` wants it: the column's own JSON text when it has one. */
  get payload(): { text: string; json: boolean } | undefined {
    if (typeof this.raw !== 'string') return payload(this.raw);
    const text = this.raw.trim();
    return text === '' || text === 'null' ? undefined : { text, json: true };
  }

  private decode(): unknown {
    if (typeof this.raw !== 'string') return this.raw ?? undefined;
    if (this.raw.trim() === '') return undefined;
    try {
      return JSON.parse(this.raw) as unknown;
    } catch (err) {
      throw new ItemError(
        this.row.at(this.key),
        `expected JSON text, got invalid JSON (${(err as Error).message})`,
      );
    }
  }
}

const DECIMAL_RE = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A Decimal written as a string or a number, as a JS number; undefined when it is neither. */
export function decimal(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !DECIMAL_RE.test(value.trim())) return undefined;
  return Number(value);
}

/** An integer count (token counts); floats, strings and negatives give undefined. */
export function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** Plugin ids whose last segment is not the OTel `gen_ai.provider.name` value. */
const OTEL_PROVIDER: Record<string, string> = {
  azure_openai: 'azure.ai.openai',
  bedrock: 'aws.bedrock',
  gemini: 'gcp.gemini',
  google: 'gcp.gemini',
  vertex_ai: 'gcp.vertex_ai',
  mistralai: 'mistral_ai',
};

/**
 * Dify's provider (`langgenius/openai/openai`, or a bare `openai` before plugins) reduced to the
 * OTel `gen_ai.provider.name` value: the last path segment, renamed where the registry differs.
 */
export function providerName(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const last = value.slice(value.lastIndexOf('/') + 1).toLowerCase();
  return last === '' ? undefined : (OTEL_PROVIDER[last] ?? last);
}

/** A string for `input.value`/`output.value`: plain text stays text, anything else is JSON. */
export function payload(value: unknown): { text: string; json: boolean } | undefined {
  if (value instanceof JsonColumn) return value.payload;
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return { text: value, json: false };
  return { text: JSON.stringify(value), json: true };
}
