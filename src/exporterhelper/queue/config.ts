import { z } from 'zod';
import { bool, duration, int, str } from '../../config/schema.js';
import type { ConfigIssue } from '../../errors/errors.js';

/** `sending_queue`, with the Collector's names and defaults (exporterhelper README). */
export const sendingQueueSchema = z.strictObject({
  enabled: bool(),
  num_consumers: int({ min: 1 }),
  queue_size: int({ min: 1 }),
  sizer: z.enum(['requests', 'items', 'bytes'], { error: 'expected requests, items or bytes' }),
  block_on_overflow: bool(),
  /** Not in the Collector: `oldest` makes room by dropping the oldest waiting data (counted). */
  drop_policy: z.enum(['refuse', 'oldest'], { error: 'expected refuse or oldest' }),
  /** A `file_storage` extension id: the queue is then kept on disk and survives restarts. */
  storage: str().optional(),
  /** Batching inside the queue; `batch: {}` turns it on with the defaults. */
  batch: z
    .preprocess(
      (v) => (v === null ? {} : v),
      z.strictObject({
        min_size: int({ min: 0 }).default(8192),
        max_size: int({ min: 0 }).default(0),
        flush_timeout: duration().default(200),
      }),
    )
    .optional(),
});

export type SendingQueueConfig = z.infer<typeof sendingQueueSchema>;

export function defaultSendingQueue(): Record<string, unknown> {
  return {
    enabled: true,
    num_consumers: 10,
    queue_size: 1000,
    sizer: 'requests',
    block_on_overflow: false,
    drop_policy: 'refuse',
  };
}

export function validateSendingQueue(c: SendingQueueConfig, prefix: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (c.batch && c.batch.max_size > 0 && c.batch.max_size < c.batch.min_size) {
    issues.push({
      path: `${prefix}::batch::max_size`,
      message: 'max_size must be 0 (no limit) or at least min_size',
    });
  }
  if (c.block_on_overflow && c.drop_policy === 'oldest') {
    issues.push({
      path: `${prefix}::drop_policy`,
      message: 'drop_policy oldest and block_on_overflow exclude each other',
    });
  }
  return issues;
}
