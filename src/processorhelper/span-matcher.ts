import { z } from 'zod';
import { compileRegex, regexProblem } from '../config/regex.js';
import { str } from '../config/schema.js';
import type { ConfigIssue } from '../errors/errors.js';
import { getAttribute } from '../pdata/attributes.js';
import type { SpanInContext } from '../pdata/map-spans.js';
import type { AnyValue, Attributes } from '../pdata/traces.js';
import { toAnyValue } from './attribute-actions.js';

const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const;
const STATUSES = ['unset', 'ok', 'error'] as const;

// Kinds as the Collector writes them (`SPAN_KIND_CLIENT`) or short (`client`), any case.
const kind = z.preprocess(
  (v) => (typeof v === 'string' ? v.toLowerCase().replace(/^span_kind_/, '') : v),
  z.enum(KINDS, {
    error: 'expected a span kind: internal, server, client, producer, consumer or unspecified',
  }),
);
const status = z.preprocess(
  (v) => (typeof v === 'string' ? v.toLowerCase().replace(/^status_code_/, '') : v),
  z.enum(STATUSES, { error: 'expected a status: unset, ok or error' }),
);
const keyValue = z.strictObject({ key: str(), value: z.unknown().optional() });

/**
 * The Collector's span match properties (`include` / `exclude` of the attributes processor and
 * of the legacy filter processor), plus `span_statuses`, which the Collector's form lacks. Every
 * property that is set must match; inside one list, any entry may.
 */
export const matchPropertiesSchema = z.strictObject({
  match_type: z.enum(['strict', 'regexp'], { error: 'expected strict or regexp' }),
  services: z.array(str()).optional(),
  span_names: z.array(str()).optional(),
  span_kinds: z.array(kind).optional(),
  span_statuses: z.array(status).optional(),
  attributes: z.array(keyValue).optional(),
  resources: z.array(keyValue).optional(),
  libraries: z.array(z.strictObject({ name: str(), version: str().optional() })).optional(),
});

export type MatchProperties = z.infer<typeof matchPropertiesSchema>;

export type SpanPredicate = (ctx: SpanInContext) => boolean;

/** Problems a schema cannot see: invalid regexes, and match properties that name nothing. */
export function validateMatchProperties(m: MatchProperties, path: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const named = [
    m.services,
    m.span_names,
    m.span_kinds,
    m.span_statuses,
    m.attributes,
    m.resources,
    m.libraries,
  ];
  if (named.every((list) => list === undefined || list.length === 0)) {
    issues.push({
      path,
      message: 'names no property to match: set span_names, services, attributes, ...',
    });
  }
  if (m.match_type === 'regexp') {
    const patterns = [
      ...(m.services ?? []),
      ...(m.span_names ?? []),
      ...(m.libraries ?? []).map((l) => l.name),
      ...[...(m.attributes ?? []), ...(m.resources ?? [])].flatMap((a) =>
        typeof a.value === 'string' ? [a.value] : [],
      ),
    ];
    for (const p of patterns) {
      const problem = regexProblem(p);
      if (problem) {
        issues.push({
          path,
          message: `invalid regular expression ${JSON.stringify(p)}: ${problem}`,
        });
      }
    }
  }
  return issues;
}

/** Compiles match properties into a predicate over a span and its resource and scope. */
export function compileMatcher(m: MatchProperties): SpanPredicate {
  const text = m.match_type === 'regexp' ? regexpMatcher : strictMatcher;
  const checks: SpanPredicate[] = [];
  if (m.services?.length) {
    const any = anyOf(m.services.map(text));
    checks.push(({ resource }) => {
      const name = getAttribute(resource.attributes, 'service.name');
      return typeof name === 'string' && any(name);
    });
  }
  if (m.span_names?.length) {
    const any = anyOf(m.span_names.map(text));
    checks.push(({ span }) => any(span.name));
  }
  if (m.span_kinds?.length) {
    const kinds = new Set(m.span_kinds.map((k) => KINDS.indexOf(k)));
    checks.push(({ span }) => kinds.has(span.kind));
  }
  if (m.span_statuses?.length) {
    const codes = new Set(m.span_statuses.map((s) => STATUSES.indexOf(s)));
    checks.push(({ span }) => codes.has(span.status.code));
  }
  if (m.attributes?.length) {
    const all = m.attributes.map((a) => attributeMatcher(a, m.match_type));
    checks.push(({ span }) => all.every((f) => f(span.attributes)));
  }
  if (m.resources?.length) {
    const all = m.resources.map((a) => attributeMatcher(a, m.match_type));
    checks.push(({ resource }) => all.every((f) => f(resource.attributes)));
  }
  if (m.libraries?.length) {
    const libs = m.libraries.map((l) => ({ name: text(l.name), version: l.version }));
    checks.push(({ scope }) =>
      libs.some(
        (l) => l.name(scope.name) && (l.version === undefined || l.version === scope.version),
      ),
    );
  }
  return (ctx) => checks.every((c) => c(ctx));
}

function attributeMatcher(a: { key: string; value?: unknown }, type: 'strict' | 'regexp') {
  if (a.value === undefined) return (attrs: Attributes) => getAttribute(attrs, a.key) !== undefined;
  if (type === 'regexp' && typeof a.value === 'string') {
    const re = compileRegex(a.value);
    return (attrs: Attributes) => {
      const v = getAttribute(attrs, a.key);
      return typeof v === 'string' && re.test(v);
    };
  }
  const expected = toAnyValue(a.value);
  return (attrs: Attributes) => sameValue(getAttribute(attrs, a.key), expected);
}

/** Strict equality that treats an int and an integral double as the same number. */
function sameValue(actual: AnyValue | undefined, expected: AnyValue): boolean {
  const num = (v: unknown) => (typeof v === 'bigint' ? Number(v) : v);
  if (Array.isArray(actual) && Array.isArray(expected)) {
    return actual.length === expected.length && actual.every((v, i) => sameValue(v, expected[i]!));
  }
  return num(actual) === num(expected);
}

const strictMatcher = (s: string) => (v: string) => v === s;
const regexpMatcher = (s: string) => {
  const re = compileRegex(s);
  return (v: string) => re.test(v);
};
const anyOf = (fs: Array<(v: string) => boolean>) => (v: string) => fs.some((f) => f(v));
