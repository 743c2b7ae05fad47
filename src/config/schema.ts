import { z } from 'zod';

/**
 * Schema building blocks shared by every component config. Values that come from `${env:...}`
 * or `--set` arrive as strings, so numeric and boolean fields accept their string forms, and
 * string fields accept YAML numbers and booleans (`project_name: 2026` is the string "2026").
 */

export const str = () =>
  z.preprocess(
    (v) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v),
    z.string({ error: (i) => `expected a string, got ${describe(i.input)}` }),
  );

interface Bounds {
  readonly min?: number;
  readonly max?: number;
}

function bounded(n: z.ZodNumber, { min, max }: Bounds): z.ZodNumber {
  let out = n;
  if (min !== undefined) out = out.min(min, { error: `must be at least ${min}` });
  if (max !== undefined) out = out.max(max, { error: `must be at most ${max}` });
  return out;
}

/** An integer (numeric strings accepted), optionally bounded. */
export const int = (bounds: Bounds = {}) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v),
    bounded(
      z
        .number({ error: (i) => `expected an integer, got ${describe(i.input)}` })
        .int({ error: 'expected an integer' }),
      bounds,
    ),
  );

/** A number (numeric strings accepted), optionally bounded. */
export const num = (bounds: Bounds = {}) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v),
    bounded(z.number({ error: (i) => `expected a number, got ${describe(i.input)}` }), bounds),
  );

export const bool = () =>
  z.preprocess(
    (v) => (v === 'true' ? true : v === 'false' ? false : v),
    z.boolean({ error: (i) => `expected true or false, got ${describe(i.input)}` }),
  );

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const DURATION_RE = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;

/** Parses a Go-style duration (`200ms`, `5s`, `1m30s`, `0`) into milliseconds, or undefined. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (t === '0') return 0;
  DURATION_RE.lastIndex = 0;
  let ms = 0;
  let matched = 0;
  for (let m = DURATION_RE.exec(t); m; m = DURATION_RE.exec(t)) {
    ms += Number(m[1]) * (UNIT_MS[m[2]!] ?? 0);
    matched = DURATION_RE.lastIndex;
  }
  return matched === t.length && matched > 0 ? ms : undefined;
}

/** A duration written as in the Collector (`200ms`, `5s`, `1h`); parsed to milliseconds. */
export const duration = () =>
  z
    .preprocess(
      (v) => {
        if (v === 0) return 0;
        if (typeof v !== 'string') return v;
        return parseDuration(v) ?? v;
      },
      z
        .number({
          error: (i) => `expected a duration such as 200ms, 5s or 1m, got ${describe(i.input)}`,
        })
        .min(0, { error: 'a duration must not be negative' }),
    )
    .meta({ format: 'duration' });

/** `host:port` (host may be empty, a name, an IPv4 address or a bracketed IPv6 address). */
export const endpoint = () =>
  str().refine((v) => parseEndpoint(v) !== undefined, {
    error: (i) => `expected host:port with a port from 0 to 65535, got ${JSON.stringify(i.input)}`,
  });

export function parseEndpoint(v: string): { host: string; port: number } | undefined {
  const m = /^(\[[^\]]*\]|[^:[\]]*):(\d{1,5})$/.exec(v);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port > 65535) return undefined;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** A URL with http or https scheme. */
export const httpUrl = () =>
  str().refine((v) => /^https?:\/\/[^\s/]+/i.test(v), {
    error: (i) => `expected an http:// or https:// URL, got ${JSON.stringify(i.input)}`,
  });

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string')
    return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}
