import { z } from 'zod';
import { duration, int } from '../../config/schema.js';
import type { ConfigIssue } from '../../errors/errors.js';

/** The `batch` processor's settings, with the Collector's names and defaults. */
export const batchConfigSchema = z.strictObject({
  /** Spans that trigger a send; a trigger, not a cap (0 sends every batch at once). */
  send_batch_size: int().refine((n) => n >= 0, { error: 'must not be negative' }),
  /** Largest batch sent downstream; 0 means batches are never split. */
  send_batch_max_size: int().refine((n) => n >= 0, {
    error: 'must not be negative (0 means no limit)',
  }),
  /** Longest time data waits for a batch to fill, in ms; 0 sends at once. */
  timeout: duration(),
});

export type BatchConfig = z.infer<typeof batchConfigSchema>;

export function createDefaultConfig(): Record<string, unknown> {
  return { send_batch_size: 8192, send_batch_max_size: 0, timeout: '200ms' };
}

/** The Collector's one cross-field rule, with the numbers that break it. */
export function validate(config: BatchConfig): ConfigIssue[] {
  const { send_batch_size: size, send_batch_max_size: max } = config;
  if (max === 0 || max >= size) return [];
  return [
    {
      path: 'send_batch_max_size',
      message: `send_batch_max_size (${max}) must be greater or equal to send_batch_size (${size}); raise it, or set 0 to never split batches`,
    },
  ];
}
