import { z } from 'zod';
import type { ConfigIssue } from '../../errors/errors.js';
import {
  attributeActionsSchema,
  validateActions,
} from '../../processorhelper/attribute-actions-config.js';

/** The `resource` processor's settings: `attributes`, a list of actions, as in the Collector. */
export const resourceConfigSchema = z.strictObject({ attributes: attributeActionsSchema });

export type ResourceConfig = z.infer<typeof resourceConfigSchema>;

export function createDefaultConfig(): Record<string, unknown> {
  return { attributes: [] };
}

export function validate(config: ResourceConfig): ConfigIssue[] {
  const issues = validateActions(config.attributes, 'attributes');
  if (config.attributes.length === 0)
    issues.push({ path: 'attributes', message: 'at least one action is required' });
  return issues;
}
