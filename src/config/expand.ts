import type { ConfigIssue } from '../errors/errors.js';
import { joinPath } from './location.js';

// `$$` is a literal `$`; `${env:NAME}`, `${NAME}` and `${env:NAME:-default}` read the environment.
const REF_RE = /\$\$|\$\{([^}]*)\}/g;
const REF_BODY_RE = /^(?:env:)?([a-zA-Z_][a-zA-Z0-9_]*)(?::-(.*))?$/s;

export interface Expansion {
  readonly value: unknown;
  readonly issues: ConfigIssue[];
  /** Variables used without a value and without a default (they expand to ''). */
  readonly unset: string[];
}

/**
 * Expands environment references in every string value, as the Collector's env provider does.
 * Bare `$NAME` is left alone; other schemes (`${file:...}`) are reported, not guessed at.
 */
export function expandEnv(value: unknown, env: NodeJS.ProcessEnv = process.env): Expansion {
  const issues: ConfigIssue[] = [];
  const unset: string[] = [];
  const walk = (v: unknown, path: string[]): unknown => {
    if (typeof v === 'string') return v.includes('$') ? expandString(v, path) : v;
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, String(i)]));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) out[k] = walk(item, [...path, k]);
      return out;
    }
    return v;
  };
  const expandString = (s: string, path: string[]): string =>
    s.replace(REF_RE, (whole, body: string | undefined) => {
      if (whole === '$$') return '$';
      const m = REF_BODY_RE.exec(body ?? '');
      if (!m) {
        issues.push({
          path: joinPath(path),
          message: `unsupported reference ${whole}: only \${env:NAME}, \${NAME} and \${env:NAME:-default} are expanded (write $$ for a literal $)`,
        });
        return whole;
      }
      const name = m[1]!;
      // As in the Collector: a variable that is set wins even when empty; the default is for unset.
      const fromEnv = env[name];
      if (fromEnv !== undefined) return fromEnv;
      if (m[2] !== undefined) return m[2];
      unset.push(name);
      return '';
    });
  return { value: walk(value, []), issues, unset };
}
