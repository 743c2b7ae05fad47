import { z } from 'zod';
import { compileRegex, type Regex, regexProblem } from '../config/regex.js';
import { str } from '../config/schema.js';
import type { ConfigIssue } from '../errors/errors.js';

export const ACTIONS = [
  'insert',
  'update',
  'upsert',
  'delete',
  'hash',
  'extract',
  'convert',
] as const;

/** One entry of `actions`, with the Collector's attributes/resource processor names. */
export const attributeActionSchema = z.strictObject({
  key: str().optional(),
  action: z.enum(ACTIONS, { error: `expected one of ${ACTIONS.join(', ')}` }),
  value: z.unknown().optional(),
  from_attribute: str().optional(),
  pattern: str().optional(),
  converted_type: z
    .enum(['int', 'double', 'string'], { error: 'expected int, double or string' })
    .optional(),
});

export type AttributeActionConfig = z.infer<typeof attributeActionSchema>;

export const attributeActionsSchema = z.array(attributeActionSchema, {
  error: 'expected a list of actions',
});

/** Patterns are written as for the Collector (RE2): see `compileRegex`. */
export const compilePattern = (pattern: string): Regex => compileRegex(pattern);

/** The cross-field rules of each action; `prefix` is the actions list's key path. */
export function validateActions(
  actions: readonly AttributeActionConfig[],
  prefix = 'actions',
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  actions.forEach((a, i) => {
    const at = (field: string, message: string) =>
      issues.push({ path: `${prefix}::${i}::${field}`, message });
    const hasValue = a.value !== undefined;
    const hasFrom = a.from_attribute !== undefined;
    switch (a.action) {
      case 'insert':
      case 'update':
      case 'upsert':
        if (!a.key) at('key', `required for ${a.action}`);
        if (hasValue === hasFrom)
          at('value', `${a.action} takes exactly one of value and from_attribute`);
        if (hasValue && !isAttributeValue(a.value))
          at('value', 'expected a string, number, boolean or a list of them');
        break;
      case 'delete':
      case 'hash':
        if (!a.key && !a.pattern) at('key', `${a.action} needs a key or a pattern`);
        break;
      case 'extract':
        if (!a.key) at('key', 'required for extract');
        if (!a.pattern) at('pattern', 'required for extract');
        break;
      case 'convert':
        if (!a.key) at('key', 'required for convert');
        if (!a.converted_type) at('converted_type', 'required for convert');
        break;
    }
    if (a.pattern !== undefined) {
      const problem = regexProblem(a.pattern);
      if (problem) at('pattern', `invalid regular expression: ${problem}`);
      else if (a.action === 'extract' && !compilePattern(a.pattern).hasNamedGroups) {
        at('pattern', 'an extract pattern needs at least one named group, e.g. (?P<user>\\w+)');
      }
    }
  });
  return issues;
}

function isAttributeValue(v: unknown): boolean {
  const scalar = (x: unknown) =>
    typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean';
  return scalar(v) || (Array.isArray(v) && v.every(scalar));
}
