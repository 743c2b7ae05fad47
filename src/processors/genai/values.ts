import type { AnyValue } from '../../pdata/traces.js';

/** A string value, or undefined. */
export const text = (v: AnyValue | undefined): string | undefined =>
  typeof v === 'string' ? v : undefined;

/** An integer token count from an int, an integral double or a numeric string; else undefined. */
export function count(v: AnyValue | undefined): bigint | undefined {
  if (typeof v === 'bigint') return v >= 0n ? v : undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) return BigInt(v.trim());
  return undefined;
}

/** A number (cost) from a double, an int or a numeric string. */
export function amount(v: AnyValue | undefined): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** Parses JSON text; the text itself when it is not JSON. */
export function parseJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** A value as plain JSON (ints as numbers, maps as objects, bytes as base64). */
export function plain(v: AnyValue | undefined): unknown {
  if (v === undefined || v === null || typeof v === 'string' || typeof v === 'boolean')
    return v ?? null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(plain);
  const out: Record<string, unknown> = {};
  for (const kv of (v as { kvlist: ReadonlyArray<{ key: string; value: AnyValue }> }).kvlist)
    out[kv.key] = plain(kv.value);
  return out;
}

/** JSON text for `input.value` / `output.value`, with its mime type. */
export function payload(value: unknown): { value: string; mime: string } {
  if (typeof value === 'string') return { value, mime: 'text/plain' };
  return { value: JSON.stringify(value), mime: 'application/json' };
}

/**
 * Collects indexed attributes (`prefix.0.message.role`, `prefix.1.message.content`, ...) into an
 * array of objects keyed by the path after the index (with `strip` removed), consuming them.
 */
export function indexed(
  keys: readonly string[],
  prefix: string,
  read: (key: string) => AnyValue | undefined,
  strip = '',
): Array<Record<string, unknown>> {
  const items: Array<Record<string, unknown>> = [];
  for (const key of keys) {
    const m = new RegExp(`^${escapeRegex(prefix)}\\.(\\d+)\\.(.+)$`).exec(key);
    if (!m) continue;
    const i = Number(m[1]);
    const path = m[2]!.startsWith(strip) ? m[2]!.slice(strip.length) : m[2]!;
    if (!items[i]) items[i] = {};
    const item = items[i]!;
    setPath(item, path.split('.'), plain(read(key)));
  }
  return items.filter((x) => x !== undefined);
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node: Record<string, unknown> = target;
  for (const part of path.slice(0, -1)) {
    const next = node[part];
    node[part] = next !== null && typeof next === 'object' ? next : {};
    node = node[part] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The provider under OTel's names: Dify's plugin ids reduced (`langgenius/openai/openai` →
 * `openai`), Vercel's `openai.chat` → `openai`, and OpenInference's spellings mapped where OTel's
 * differ (reference/otel-collector.md §5.3).
 */
export function providerName(raw: string): string {
  let p = raw.trim().toLowerCase();
  if (p.includes('/')) p = p.split('/').filter(Boolean).at(-1) ?? p;
  if (/^[a-z0-9_-]+\.(chat|completion|responses|embedding|messages|generative-ai|image)$/.test(p))
    p = p.split('.')[0]!;
  return PROVIDER_ALIASES[p] ?? p;
}

const PROVIDER_ALIASES: Record<string, string> = {
  vertexai: 'gcp.vertex_ai',
  mistralai: 'mistral_ai',
  xai: 'x_ai',
  azure: 'azure.ai.openai',
  amazon: 'aws.bedrock',
  aws: 'aws.bedrock',
  bedrock: 'aws.bedrock',
};
