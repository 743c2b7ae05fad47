import { z } from 'zod';
import { regexProblem } from '../../config/regex.js';
import { bool, str } from '../../config/schema.js';
import type { ConfigIssue } from '../../errors/errors.js';
import { BUILTIN_PATTERN_SOURCES } from './builtin-patterns.js';

const names = Object.keys(BUILTIN_PATTERN_SOURCES) as [
  keyof typeof BUILTIN_PATTERN_SOURCES,
  ...(keyof typeof BUILTIN_PATTERN_SOURCES)[],
];

/** The `redaction` processor's settings, with the Collector's names, plus `builtin_patterns`. */
export const redactionConfigSchema = z.strictObject({
  allow_all_keys: bool(),
  allowed_keys: z.array(str()),
  ignored_keys: z.array(str()),
  blocked_key_patterns: z.array(str()),
  blocked_values: z.array(str()),
  allowed_values: z.array(str()),
  builtin_patterns: z.array(z.enum(names, { error: `expected one of ${names.join(', ')}` })),
  summary: z.enum(['debug', 'info', 'silent'], { error: 'expected debug, info or silent' }),
});

export type RedactionConfig = z.infer<typeof redactionConfigSchema>;

export function createDefaultConfig(): Record<string, unknown> {
  return {
    allow_all_keys: false,
    allowed_keys: [],
    ignored_keys: [],
    blocked_key_patterns: [],
    blocked_values: [],
    allowed_values: [],
    builtin_patterns: [],
    summary: 'info',
  };
}

export function validate(config: RedactionConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const field of ['blocked_key_patterns', 'blocked_values', 'allowed_values'] as const) {
    config[field].forEach((p, i) => {
      const problem = regexProblem(p);
      if (problem) {
        issues.push({ path: `${field}::${i}`, message: `invalid regular expression: ${problem}` });
      }
    });
  }
  return issues;
}
