import { z } from 'zod';
import { compileRegex } from '../../config/regex.js';
import { bool, str } from '../../config/schema.js';
import type { ConfigIssue } from '../../errors/errors.js';
import { BUILTIN_PATTERNS } from './builtin-patterns.js';

const names = Object.keys(BUILTIN_PATTERNS) as [
  keyof typeof BUILTIN_PATTERNS,
  ...(keyof typeof BUILTIN_PATTERNS)[],
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
      try {
        compileRegex(p);
      } catch (err) {
        issues.push({
          path: `${field}::${i}`,
          message: `invalid regular expression: ${(err as Error).message}`,
        });
      }
    });
  }
  return issues;
}
