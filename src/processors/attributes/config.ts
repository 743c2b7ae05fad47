import { z } from 'zod';
import type { ConfigIssue } from '../../errors/errors.js';
import {
  attributeActionsSchema,
  validateActions,
} from '../../processorhelper/attribute-actions-config.js';
import {
  matchPropertiesSchema,
  validateMatchProperties,
} from '../../processorhelper/span-matcher.js';

/** The `attributes` processor's settings, as the Collector's attributes processor names them. */
export const attributesConfigSchema = z.strictObject({
  actions: attributeActionsSchema,
  include: matchPropertiesSchema.optional(),
  exclude: matchPropertiesSchema.optional(),
});

export type AttributesConfig = z.infer<typeof attributesConfigSchema>;

export function createDefaultConfig(): Record<string, unknown> {
  return { actions: [] };
}

export function validate(config: AttributesConfig): ConfigIssue[] {
  const issues = validateActions(config.actions);
  if (config.actions.length === 0)
    issues.push({ path: 'actions', message: 'at least one action is required' });
  if (config.include) issues.push(...validateMatchProperties(config.include, 'include'));
  if (config.exclude) issues.push(...validateMatchProperties(config.exclude, 'exclude'));
  return issues;
}
