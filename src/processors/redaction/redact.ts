import type { Regex } from '../../config/regex.js';
import type { AnyValue, Attributes, KeyValue } from '../../pdata/traces.js';
import type { Pacer } from '../../pipeline/pacer.js';
import type { Masker } from './masker.js';

/** Opik's id attributes are routing, not data: never removed, never masked. */
const ALWAYS_KEPT = new Set(['opik.trace_id', 'opik.span_id', 'opik.parent_span_id']);
// Payload attributes holding JSON text: masked leaf by leaf so they stay valid JSON.
const JSON_PAYLOADS = new Set([
  'input.value',
  'output.value',
  'opik.metadata',
  'gen_ai.input.messages',
  'gen_ai.output.messages',
]);

export interface RedactionRules {
  readonly allowAllKeys: boolean;
  readonly allowedKeys: ReadonlySet<string>;
  readonly ignoredKeys: ReadonlySet<string>;
  readonly blockedKeys: readonly Regex[];
  /** Masks blocked values and built-in patterns in any value. */
  readonly values: Masker;
  /** Masks whole values of keys matching `blocked_key_patterns`. */
  readonly wholeValue: (v: AnyValue) => AnyValue;
}

export interface Redacted {
  readonly attributes: Attributes;
  readonly redactedKeys: string[];
  readonly maskedKeys: string[];
  readonly ignored: number;
}

/** Applies the rules to one attribute list: removes keys not allowed, masks blocked values. */
export async function redactAttributes(
  attrs: Attributes,
  rules: RedactionRules,
  pacer: Pacer,
): Promise<Redacted> {
  const out: KeyValue[] = [];
  const redactedKeys: string[] = [];
  const maskedKeys: string[] = [];
  let ignored = 0;
  let changed = false;
  for (const kv of attrs) {
    // Our own summary attributes stay too, so a second pass changes nothing.
    if (
      ALWAYS_KEPT.has(kv.key) ||
      kv.key.startsWith('redaction.') ||
      rules.ignoredKeys.has(kv.key)
    ) {
      if (rules.ignoredKeys.has(kv.key)) ignored++;
      out.push(kv);
      continue;
    }
    if (!rules.allowAllKeys && !rules.allowedKeys.has(kv.key)) {
      redactedKeys.push(kv.key);
      changed = true;
      continue;
    }
    const value = rules.blockedKeys.some((re) => re.test(kv.key))
      ? rules.wholeValue(kv.value)
      : await maskValue(kv.key, kv.value, rules.values, pacer);
    if (value !== kv.value) {
      maskedKeys.push(kv.key);
      changed = true;
      out.push({ key: kv.key, value });
    } else out.push(kv);
  }
  return { attributes: changed ? out : attrs, redactedKeys, maskedKeys, ignored };
}

async function maskValue(
  key: string,
  value: AnyValue,
  masker: Masker,
  pacer: Pacer,
): Promise<AnyValue> {
  if (!masker.active) return value;
  if (typeof value === 'string') {
    const r = JSON_PAYLOADS.has(key)
      ? await masker.maskJsonText(value, pacer)
      : await masker.mask(value, pacer);
    return r.count > 0 ? r.text : value;
  }
  if (Array.isArray(value)) {
    const items: AnyValue[] = [];
    for (const v of value) items.push(await maskValue(key, v, masker, pacer));
    return items.some((v, i) => v !== value[i]) ? items : value;
  }
  return value;
}
