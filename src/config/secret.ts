/** Keys whose values are secrets wherever they appear (`api_key`, `token`, an `Authorization` header...). */
const SECRET_KEY_RE =
  /^(api_?keys?|token|password|secret|client_secret|authorization|bearer_token)$/i;

export const REDACTED = '[REDACTED]';

export function isSecretKey(key: string): boolean {
  return SECRET_KEY_RE.test(key);
}

/** A copy of `value` with every non-empty secret replaced by `[REDACTED]`. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      isSecretKey(k) && v !== '' && v !== null && v !== undefined ? REDACTED : redactSecrets(v);
  }
  return out;
}
