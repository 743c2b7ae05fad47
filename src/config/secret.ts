/** Keys whose values are secrets wherever they appear (`api_key`, `token`, an `Authorization` header...). */
const SECRET_KEY_RE =
  /^(api_?keys?|token|password|secret|client_secret|authorization|bearer_token)$/i;

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
 * the password inside any URL, and every value under a `headers` key (an exporter's headers carry
 * API keys under any name; the Collector keeps them opaque).
 */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value === 'string') return redactUrlPassword(value);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      isSecretKey(k) && v !== '' && v !== null && v !== undefined
        ? REDACTED
        : k === 'headers'
          ? redactHeaderValues(v)
          : redactSecrets(v);
  }
  return out;
}

/** `headers` as a map (`{name: value}`) or a list (`[{name, value}]`), values redacted. */
function redactHeaderValues(headers: unknown): unknown {
  const hide = (v: unknown) => (v === '' || v === null || v === undefined ? v : REDACTED);
  if (Array.isArray(headers)) {
    return headers.map((h: unknown) =>
      h !== null && typeof h === 'object' && 'value' in h ? { ...h, value: hide(h.value) } : h,
    );
  }
  if (headers === null || typeof headers !== 'object') return hide(headers);
  return Object.fromEntries(Object.entries(headers).map(([name, v]) => [name, hide(v)]));
}
