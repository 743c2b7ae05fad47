import { z } from 'zod';
import { bool, duration, int, num } from '../config/schema.js';
import type { ConfigIssue } from '../errors/errors.js';

/**
 * Settings shared by exporters, with the OpenTelemetry Collector's names and defaults
 * (`config/configretry`): durations are milliseconds after parsing.
 */
export const retryOnFailureSchema = z.strictObject({
  enabled: bool(),
  initial_interval: duration(),
  randomization_factor: num().pipe(z.number().min(0).max(1)),
  multiplier: num().pipe(z.number().min(1, { error: 'multiplier must be at least 1' })),
  max_interval: duration(),
  /** 0 retries forever. */
  max_elapsed_time: duration(),
});
export type RetryOnFailureConfig = z.infer<typeof retryOnFailureSchema>;

export function defaultRetryOnFailure(): Record<string, unknown> {
  return {
    enabled: true,
    initial_interval: '5s',
    randomization_factor: 0.5,
    multiplier: 1.5,
    max_interval: '30s',
    max_elapsed_time: '5m',
  };
}

/** The Collector's cross-field rules for `retry_on_failure`; `prefix` is the key path. */
export function validateRetryOnFailure(c: RetryOnFailureConfig, prefix: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (c.max_interval < c.initial_interval) {
    issues.push({
      path: `${prefix}::max_interval`,
      message: 'max_interval must not be shorter than initial_interval',
    });
  }
  if (c.max_elapsed_time > 0 && c.max_elapsed_time < Math.max(c.initial_interval, c.max_interval)) {
    issues.push({
      path: `${prefix}::max_elapsed_time`,
      message:
        'max_elapsed_time must be 0 (retry forever) or at least initial_interval and max_interval',
    });
  }
  return issues;
}

/** When an exporter with two paths leaves its primary, and when it tries the primary again. */
export const fallbackSchema = z.strictObject({
  enabled: bool(),
  /** Consecutive failed attempts on the primary before switching (a definite "unusable" switches at once). */
  switch_after_failures: int().pipe(z.number().min(1, { error: 'must be at least 1' })),
  /** While on the secondary, the primary is tried again at most this often. */
  probe_interval: duration(),
});
export type FallbackConfig = z.infer<typeof fallbackSchema>;

export function defaultFallback(): Record<string, unknown> {
  return { enabled: true, switch_after_failures: 3, probe_interval: '5m' };
}
