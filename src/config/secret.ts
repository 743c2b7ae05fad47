/** Keys whose values are secrets wherever they appear (`api_key`, `token`, an `Authorization` header...). */
const SECRET_KEY_RE =
  /^(api_?key|token|password|secret|client_secret|authorization|bearer_token)$/i;

export const REDACTED = '[REDACTED]';

export function isSecretKey(key: string): boolean {
  return SECRET_KEY_RE.test(key);
}

/** `scheme://user:password@host…` with the password replaced (a Redis or PostgreSQL URL). */
export function redactUrlPassword(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:\s]*:)[^/@\s]+@/i, `$1${REDACTED}@`);
}

/**
 * A copy of `value` with every non-empty secret replaced by `[REDACTED]`: values of secret keys,
 * and the password inside any URL.
 */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value === 'string') return redactUrlPassword(value);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      isSecretKey(k) && v !== '' && v !== null && v !== undefined ? REDACTED : redactSecrets(v);
  }
  return out;
}
