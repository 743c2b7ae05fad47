import { z } from 'zod';
import { int, num } from '../../config/schema.js';

/** The `probabilistic_sampler` processor's settings, with the Collector's names. */
export const samplerConfigSchema = z.strictObject({
  sampling_percentage: num({ min: 0, max: 100 }),
  hash_seed: int({ min: 0, max: 0xffffffff }),
  mode: z.enum(['proportional', 'hash_seed'], { error: 'expected proportional or hash_seed' }),
});

export type SamplerConfig = z.infer<typeof samplerConfigSchema>;

export function createDefaultConfig(): Record<string, unknown> {
  return { sampling_percentage: 100, hash_seed: 0, mode: 'proportional' };
}
