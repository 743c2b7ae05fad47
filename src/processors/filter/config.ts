import { z } from 'zod';
import type { ConfigIssue } from '../../errors/errors.js';
import {
  matchPropertiesSchema,
  validateMatchProperties,
} from '../../processorhelper/span-matcher.js';

/**
 * The `filter` processor's settings in the Collector's match-properties form
 * (`spans: { include, exclude }`): a span is kept when it matches `include` (if set) and does
 * not match `exclude`. The Collector's OTTL form (`traces: span: [...]`) is not supported.
 */
export const filterConfigSchema = z.strictObject({
  spans: z.strictObject({
    include: matchPropertiesSchema.optional(),
    exclude: matchPropertiesSchema.optional(),
  }),
  /** Accepted only to explain that the OTTL form is not supported. */
  traces: z.unknown().optional(),
});

export type FilterConfig = z.infer<typeof filterConfigSchema>;

export function createDefaultConfig(): Record<string, unknown> {
  return { spans: {} };
}

export function validate(config: FilterConfig): ConfigIssue[] {
  if (config.traces !== undefined) {
    return [
      {
        path: 'traces',
        message:
          'OTTL conditions are not supported; write the conditions as spans: { include: ..., exclude: ... } (see the filter README)',
      },
    ];
  }
  const { include, exclude } = config.spans;
  if (!include && !exclude) return [{ path: 'spans', message: 'set include, exclude or both' }];
  return [
    ...(include ? validateMatchProperties(include, 'spans::include') : []),
    ...(exclude ? validateMatchProperties(exclude, 'spans::exclude') : []),
  ];
}
