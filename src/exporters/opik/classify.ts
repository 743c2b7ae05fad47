/** What one HTTP answer from Opik means for the request that got it. */
export type Verdict =
  | { readonly kind: 'ok' }
  /** Try the same request again later (at least `retryAfterMs`). */
  | {
      readonly kind: 'retry';
      readonly reason: string;
      readonly retryAfterMs?: number;
      readonly throttled: boolean;
    }
  /** Credentials or workspace refused: loud, health degraded, data kept and retried. */
  | { readonly kind: 'refused'; readonly reason: string }
  /** About an item of the request: split it to find the item, dead-letter that one. */
  | { readonly kind: 'split'; readonly reason: string }
  /** This Opik has no usable OTLP endpoint: switch to the REST path. */
  | { readonly kind: 'unusable'; readonly reason: string }
  /** The whole request is refused for good: dead-letter its items. */
  | { readonly kind: 'reject'; readonly reason: string };

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);
const NO_OTLP = new Set([404, 405, 415, 501]);

/**
 * The one classification of Opik's answers (DESIGN §5). `path` matters for 404/405/415/501:
 * on the OTLP path they mean "no OTLP endpoint here", on the REST path a wrong `endpoint`.
 * 500 is retried: Opik answers it for server faults (database, a parse bug), and retrying keeps
 * the data, where the Collector's default would drop it.
 */
export function classify(answer: HttpAnswer, path: 'otlp' | 'rest', nowMs: number): Verdict {
  const { status } = answer;
  if (status >= 200 && status < 300) return { kind: 'ok' };
  const reason = `HTTP ${status}${describeBody(answer.body)}`;
  if (RETRYABLE.has(status) || status === 402) {
    return {
      kind: 'retry',
      reason,
      retryAfterMs: retryAfterMs(answer, nowMs),
      throttled: status === 429,
    };
  }
  if (status === 401 || status === 403) return { kind: 'refused', reason };
  if (status === 404 && /workspace not found/i.test(answer.body))
    return { kind: 'refused', reason };
  if (NO_OTLP.has(status))
    return path === 'otlp' ? { kind: 'unusable', reason } : { kind: 'refused', reason };
  if (status === 400 || status === 413 || status === 422) return { kind: 'split', reason };
  if (status >= 500) return { kind: 'retry', reason, throttled: false };
  return { kind: 'reject', reason };
}

/** `Retry-After` in seconds or as an HTTP date; for a 429, Opik's `RateLimit-Reset` seconds too. */
export function retryAfterMs(answer: HttpAnswer, nowMs: number): number | undefined {
  const header = (name: string) => {
    const v = answer.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const value =
    header('retry-after') ?? (answer.status === 429 ? header('ratelimit-reset') : undefined);
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** `: message` from Opik's error bodies (`{code,message,details}` or `{errors:[…]}`), cut short. */
function describeBody(body: string): string {
  if (body.trim() === '') return '';
  let text = body;
  try {
    const parsed = JSON.parse(body) as { message?: unknown; details?: unknown; errors?: unknown };
    const parts = [parsed.message, parsed.details].filter((p) => typeof p === 'string');
    if (Array.isArray(parsed.errors)) parts.push(parsed.errors.join('; '));
    if (parts.length > 0) text = parts.join(': ');
  } catch {
    // not JSON: the text itself
  }
  return `: ${text.length > 300 ? `${text.slice(0, 300)}…` : text}`;
}
