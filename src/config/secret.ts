/** Keys whose values are secrets wherever they appear (`api_key`, `token`, an `Authorization` header...). */
const SECRET_KEY_RE =
  /^(api_?keys?|token|tokens|password|secret|client_secret|authorization|bearer_token)$/i;

export const REDACTED = '[REDACTED]';

export function isSecretKey(key: string): boolean {
  return SECRET_KEY_RE.test(key);
}

// `scheme://user:password@host`: the password part, whatever the scheme (redis, postgres, http...).
// The user part stops at the first `:`, `/` or `@`, so an `@` inside the password stays covered.
const URL_PASSWORD_RE = /\b([a-z][a-z0-9+.-]*:\/\/[^:/@\s"'<>]*:)([^\s"'<>]+)@/gi;

/** `text` with the password of every URL in it replaced: `redis://:[REDACTED]@host`. */
export function redactUrlCredentials(text: string): string {
  if (!text.includes('://')) return text;
  return text.replace(URL_PASSWORD_RE, (_m, head: string) => `${head}${REDACTED}@`);
}

/**
 * A copy of `value` with every non-empty secret replaced by `[REDACTED]`: values under secret
 * keys, passwords inside URLs anywhere, and every value under a `headers` key (an exporter's
 * headers carry API keys under any name; the Collector keeps them opaque).
 */
export function redactSecrets(value: unknown): unknown {
  if (typeof value === 'string') return redactUrlCredentials(value);
  if (Array.isArray(value)) return value.map(redactSecrets);
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

/**
 * Secret values this process knows (from the config, token files), so that text written anywhere
 * (log lines, `doctor` output) can be scrubbed of them even where they were not under a secret
 * key: inside an error message, a URL, a header echoed by a server.
 */
const known = new Set<string>();

/** Shorter values are not tracked: scrubbing them would mangle ordinary text. */
const MIN_SECRET_LENGTH = 4;

/** Remembers `value` as a secret (and its JSON-escaped form, as it appears in a log line). */
export function rememberSecret(value: string): void {
  if (value.length < MIN_SECRET_LENGTH) return;
  known.add(value);
  const escaped = JSON.stringify(value).slice(1, -1);
  if (escaped !== value) known.add(escaped);
}

/** Remembers every secret in a config: values under secret keys and passwords in URLs. */
export function rememberSecretsIn(value: unknown): void {
  if (typeof value === 'string') {
    for (const m of value.matchAll(URL_PASSWORD_RE)) rememberSecret(m[2]!);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) rememberSecretsIn(v);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (isSecretKey(k) && typeof v === 'string') rememberSecret(v);
    else if (isSecretKey(k) && Array.isArray(v)) {
      for (const x of v) if (typeof x === 'string') rememberSecret(x);
    } else rememberSecretsIn(v);
  }
}

/** `text` with every remembered secret and every URL password replaced by `[REDACTED]`. */
export function scrubSecrets(text: string): string {
  let out = redactUrlCredentials(text);
  for (const s of known) if (out.includes(s)) out = out.replaceAll(s, REDACTED);
  return out;
}
