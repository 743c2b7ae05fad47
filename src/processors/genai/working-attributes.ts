import type { AnyValue, Attributes, KeyValue } from '../../pdata/traces.js';

/**
 * A span's attributes while the `genai` processor rewrites them: read and consume source keys,
 * set canonical ones (never overwriting what is already there), and collect what has no
 * canonical name for `opik.metadata`. `result()` gives the new list, or the original one when
 * nothing changed, which is what makes the processor idempotent and cheap on foreign spans.
 */
export class WorkingAttributes {
  private readonly values = new Map<string, AnyValue>();
  private readonly metadata: Record<string, unknown> = {};
  private changed = false;

  constructor(private readonly original: Attributes) {
    for (const kv of original) if (!this.values.has(kv.key)) this.values.set(kv.key, kv.value);
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  get(key: string): AnyValue | undefined {
    return this.values.get(key);
  }

  /** Keys starting with `prefix`, in order. */
  keys(prefix: string): string[] {
    return [...this.values.keys()].filter((k) => k.startsWith(prefix));
  }

  /** Removes `key` and returns its value. */
  take(key: string): AnyValue | undefined {
    const v = this.values.get(key);
    if (v !== undefined) {
      this.values.delete(key);
      this.changed = true;
    }
    return v;
  }

  /** Sets a canonical key unless the span already has it (the span's own value wins). */
  setDefault(key: string, value: AnyValue | undefined): void {
    if (value === undefined || value === null || this.values.has(key)) return;
    this.values.set(key, value);
    this.changed = true;
  }

  /** Sets a key, replacing what is there. */
  set(key: string, value: AnyValue): void {
    this.values.set(key, value);
    this.changed = true;
  }

  /** Moves `key` (when present) into `opik.metadata` under `name`. */
  toMetadata(key: string, name = key): void {
    const v = this.take(key);
    if (v !== undefined) this.addMetadata(name, v);
  }

  addMetadata(name: string, value: unknown): void {
    this.metadata[name] = value;
    this.changed = true;
  }

  result(toJson: (v: AnyValue) => unknown): Attributes {
    if (!this.changed) return this.original;
    if (Object.keys(this.metadata).length > 0) {
      const existing = this.values.get('opik.metadata');
      const merged = { ...parseObject(existing), ...normalizeMetadata(this.metadata, toJson) };
      this.values.set('opik.metadata', JSON.stringify(merged));
    }
    const out: KeyValue[] = [];
    for (const [key, value] of this.values) out.push({ key, value });
    return out;
  }
}

function parseObject(v: AnyValue | undefined): Record<string, unknown> {
  if (typeof v !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(v);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function normalizeMetadata(
  m: Record<string, unknown>,
  toJson: (v: AnyValue) => unknown,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) out[k] = isAnyValue(v) ? toJson(v) : v;
  return out;
}

function isAnyValue(v: unknown): v is AnyValue {
  return (
    typeof v === 'bigint' ||
    v instanceof Uint8Array ||
    (typeof v === 'object' && v !== null && 'kvlist' in v)
  );
}
