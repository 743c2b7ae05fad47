import { z } from 'zod';

export const VERBOSITIES = ['basic', 'normal', 'detailed'] as const;
export type Verbosity = (typeof VERBOSITIES)[number];

/** The `debug` exporter's settings (the Collector's `verbosity`). */
export const debugConfigSchema = z.strictObject({
  verbosity: z.enum(VERBOSITIES, {
    error: (i) => `expected one of basic, normal, detailed, got ${JSON.stringify(i.input)}`,
  }),
});

export type DebugConfig = z.infer<typeof debugConfigSchema>;

export function createDefaultConfig(): Record<string, unknown> {
  return { verbosity: 'basic' };
}
