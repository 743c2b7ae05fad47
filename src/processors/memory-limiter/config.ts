import { z } from 'zod';
import { duration, int } from '../../config/schema.js';
import type { ConfigIssue } from '../../errors/errors.js';

/** `memory_limiter` settings, with the Collector's names and defaults. */
export const memoryLimiterConfigSchema = z.strictObject({
  check_interval: duration(),
  limit_mib: int({ min: 0 }),
  spike_limit_mib: int({ min: 0 }),
  limit_percentage: int({ min: 0, max: 100 }),
  spike_limit_percentage: int({ min: 0, max: 100 }),
});

export type MemoryLimiterConfig = z.infer<typeof memoryLimiterConfigSchema>;

export function createDefaultConfig(): Record<string, unknown> {
  return {
    check_interval: '0s',
    limit_mib: 0,
    spike_limit_mib: 0,
    limit_percentage: 0,
    spike_limit_percentage: 0,
  };
}

export function validate(c: MemoryLimiterConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (c.check_interval <= 0)
    issues.push({ path: 'check_interval', message: 'must be greater than 0 (1s is a good value)' });
  if (c.limit_mib === 0 && c.limit_percentage === 0) {
    issues.push({ path: 'limit_mib', message: 'set limit_mib or limit_percentage' });
  }
  if (c.limit_mib > 0 && c.spike_limit_mib >= c.limit_mib) {
    issues.push({ path: 'spike_limit_mib', message: 'must be smaller than limit_mib' });
  }
  if (
    c.limit_mib === 0 &&
    c.spike_limit_percentage >= c.limit_percentage &&
    c.limit_percentage > 0
  ) {
    issues.push({
      path: 'spike_limit_percentage',
      message: 'must be smaller than limit_percentage',
    });
  }
  return issues;
}
