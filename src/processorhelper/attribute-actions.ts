import type { AnyValue, Attributes, KeyValue } from '../pdata/traces.js';
import { type AttributeActionConfig, compilePattern } from './attribute-actions-config.js';
import { hashAttributeValue } from './attribute-hash.js';

/** Applies a list of actions to attributes; returns the input itself when nothing changed. */
export type AttributeActions = (attrs: Attributes) => Attributes;

type Step = (m: Map<string, AnyValue>) => boolean;

/**
 * Compiles `actions` once, as the Collector's attributes and resource processors define them:
 * insert only when the key is absent, update only when present, upsert both; delete and hash by
 * key or by key pattern; extract named groups of `pattern` from the key's string value into new
 * attributes (upserted); convert to int, double or string. Applied in order.
 */
export function compileAttributeActions(
  actions: readonly AttributeActionConfig[],
): AttributeActions {
  const steps = actions.map(compileStep);
  return (attrs) => {
    const m = new Map<string, AnyValue>();
    for (const kv of attrs) if (!m.has(kv.key)) m.set(kv.key, kv.value);
    let changed = false;
    for (const step of steps) changed = step(m) || changed;
    if (!changed) return attrs;
    const out: KeyValue[] = [];
    for (const [key, value] of m) out.push({ key, value });
    return out;
  };
}

function compileStep(a: AttributeActionConfig): Step {
  const key = a.key ?? '';
  const value = a.value === undefined ? undefined : toAnyValue(a.value);
  const source = (m: Map<string, AnyValue>) =>
    value !== undefined ? value : m.get(a.from_attribute ?? '');
  const pattern = a.pattern === undefined ? undefined : compilePattern(a.pattern);
  const keysOf = (m: Map<string, AnyValue>) =>
    a.key !== undefined ? (m.has(key) ? [key] : []) : [...m.keys()].filter((k) => pattern!.test(k));
  switch (a.action) {
    case 'insert':
      return (m) => set(m, key, m.has(key) ? undefined : source(m));
    case 'update':
      return (m) => set(m, key, m.has(key) ? source(m) : undefined);
    case 'upsert':
      return (m) => set(m, key, source(m));
    case 'delete':
      return (m) =>
        keysOf(m)
          .map((k) => m.delete(k))
          .includes(true);
    case 'hash':
      return (m) =>
        keysOf(m)
          .map((k) => set(m, k, hashAttributeValue(m.get(k)!)))
          .includes(true);
    case 'extract':
      return (m) => {
        const v = m.get(key);
        const match = typeof v === 'string' ? pattern!.firstMatch(v) : undefined;
        if (!match) return false;
        let changed = false;
        for (const [name, r] of Object.entries(match.groups)) {
          changed = set(m, name, (v as string).slice(r.start, r.end)) || changed;
        }
        return changed;
      };
    case 'convert':
      return (m) => (m.has(key) ? set(m, key, convert(m.get(key)!, a.converted_type!)) : false);
  }
}

function set(m: Map<string, AnyValue>, key: string, value: AnyValue | undefined): boolean {
  if (value === undefined) return false;
  m.set(key, value);
  return true;
}

/** A YAML value as an OTLP value: integral numbers are ints, as in the Collector's config. */
export function toAnyValue(v: unknown): AnyValue {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(toAnyValue);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  return null;
}

/** The Collector's `convert`: a value that cannot be converted is left as it was. */
function convert(v: AnyValue, to: 'int' | 'double' | 'string'): AnyValue | undefined {
  const text =
    typeof v === 'string' ||
    typeof v === 'number' ||
    typeof v === 'bigint' ||
    typeof v === 'boolean'
      ? String(v)
      : undefined;
  if (to === 'string') return text;
  if (typeof v === 'boolean') return to === 'int' ? BigInt(v ? 1 : 0) : v ? 1 : 0;
  const n = typeof v === 'bigint' ? Number(v) : Number(text);
  if (text === undefined || text.trim() === '' || Number.isNaN(n)) return undefined;
  return to === 'int' ? BigInt(Math.trunc(n)) : n;
}
