import { z } from 'zod';
import { duration, int, num, str } from '../../config/schema.js';
import { redactUrlCredentials } from '../../config/secret.js';
import type { ConfigIssue } from '../../errors/errors.js';

const nonEmpty = () => str().refine((v) => v.trim() !== '', { error: 'must not be empty' });

const urlWithScheme = (schemes: readonly string[], example: string) =>
  str().refine((v) => schemes.some((s) => v.toLowerCase().startsWith(`${s}://`)), {
    error: (i) =>
      `expected a ${schemes.map((s) => `${s}://`).join(' or ')} URL such as ${example}, got ${JSON.stringify(redactUrlCredentials(String(i.input)))}`,
  });

export const difyQueueReceiverConfigSchema = z.strictObject({
  /** Dify's Celery broker (`CELERY_BROKER_URL`) and the list its `ops_trace` tasks are pushed to. */
  redis: z.strictObject({
    url: urlWithScheme(['redis', 'rediss'], 'redis://:password@redis:6379/1'),
    queue: nonEmpty(),
    /** Where taken messages wait until finished; derived from `queue` when absent. */
    processing_list: nonEmpty().optional(),
    /** Where messages that cannot be processed are set aside; derived from `queue` when absent. */
    dead_letter_list: nonEmpty().optional(),
  }),
  /** Dify's storage (`STORAGE_TYPE`, `OPENDAL_SCHEME`), as a directory shared with Dify. */
  storage: z.strictObject({
    type: nonEmpty(),
    scheme: nonEmpty().optional(),
    root: nonEmpty(),
  }),
  /** Dify's PostgreSQL database (`DB_*`), read for workflow node executions. */
  database: z.strictObject({
    url: urlWithScheme(['postgres', 'postgresql'], 'postgres://postgres:password@db:5432/dify'),
  }),
  /** Messages processed at the same time. */
  concurrency: int({ min: 1, max: 256 }),
  /** Messages taken from the queue and not yet finished, at most (at least `concurrency`). */
  prefetch: int({ min: 1, max: 4096 }),
  /** Waits between attempts while Redis, the storage or the database is unavailable. */
  backoff: z.strictObject({
    initial_interval: duration(),
    max_interval: duration(),
    multiplier: num().pipe(z.number().min(1, { error: 'multiplier must be at least 1' })),
    randomization_factor: num().pipe(z.number().min(0).max(1)),
  }),
});

export type DifyQueueReceiverConfig = z.infer<typeof difyQueueReceiverConfigSchema>;

/** No Redis URL, storage root or database URL: they are Dify's, the user must give them. */
export function createDefaultConfig(): Record<string, unknown> {
  return {
    redis: { queue: 'ops_trace' },
    storage: { type: 'opendal' },
    database: {},
    concurrency: 4,
    prefetch: 8,
    backoff: {
      initial_interval: '1s',
      max_interval: '30s',
      multiplier: 1.5,
      randomization_factor: 0.5,
    },
  };
}

/** The storage forms this receiver reads: the local filesystem of Dify's docker compose. */
export function validate(c: DifyQueueReceiverConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const type = c.storage.type.toLowerCase();
  if (type === 'opendal') {
    // Dify's OPENDAL_SCHEME defaults to fs (api/configs/middleware/storage/
    // opendal_storage_config.py); type local ignores it, as Dify does.
    if ((c.storage.scheme ?? 'fs').toLowerCase() !== 'fs') {
      issues.push({
        path: 'storage::scheme',
        message: `OpenDAL scheme ${JSON.stringify(c.storage.scheme)} is not supported yet; the receiver reads Dify's storage from a shared directory: use scheme fs (OPENDAL_SCHEME=fs, Dify's docker default)`,
      });
    }
  } else if (type !== 'local') {
    issues.push({
      path: 'storage::type',
      message: `storage type ${JSON.stringify(c.storage.type)} is not supported yet; the receiver reads Dify's storage from a shared directory: STORAGE_TYPE opendal with OPENDAL_SCHEME fs (Dify's docker default), or local`,
    });
  }
  if (c.prefetch < c.concurrency) {
    issues.push({
      path: 'prefetch',
      message: `must be at least concurrency (${c.concurrency}): each message being processed was taken first`,
    });
  }
  if (c.backoff.max_interval < c.backoff.initial_interval) {
    issues.push({
      path: 'backoff::max_interval',
      message: 'max_interval must not be shorter than initial_interval',
    });
  }
  const lists = Object.values(listsOf(c.redis));
  if (new Set(lists).size < lists.length) {
    issues.push({
      path: 'redis',
      message: 'queue, processing_list and dead_letter_list must be three different lists',
    });
  }
  return issues;
}

/** The lists a receiver uses, with the derived defaults filled in. */
export function listsOf(c: DifyQueueReceiverConfig['redis']) {
  return {
    queue: c.queue,
    processing: c.processing_list ?? `dify-opik-collector:${c.queue}:processing`,
    deadLetter: c.dead_letter_list ?? `dify-opik-collector:${c.queue}:dead-letter`,
  };
}
