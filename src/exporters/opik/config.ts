import { z } from 'zod';
import { isMap } from '../../config/merge.js';
import { bool, duration, httpUrl, int, str } from '../../config/schema.js';
import { tlsClientSchema } from '../../config/tls.js';
import type { ConfigIssue } from '../../errors/errors.js';
import {
  defaultFallback,
  defaultRetryOnFailure,
  fallbackSchema,
  retryOnFailureSchema,
  validateRetryOnFailure,
} from '../../exporterhelper/config.js';
import {
  defaultSendingQueue,
  sendingQueueSchema,
  validateSendingQueue,
} from '../../exporterhelper/queue/config.js';

/** The `opik` exporter's settings; the first four carry the names of Opik's own SDKs. */
export const opikConfigSchema = z.strictObject({
  /** Opik's API base (`OPIK_URL_OVERRIDE`), e.g. `http://localhost:5173/api` or `https://www.comet.com/opik/api`. */
  endpoint: httpUrl(),
  /** `OPIK_API_KEY`; sent raw as `Authorization` (no `Bearer`), omitted when empty. */
  api_key: str(),
  workspace: str(),
  project_name: str().refine((v) => v.trim() !== '', { error: 'must not be blank' }),
  compression: z.enum(['gzip', 'none'], { error: 'expected gzip or none' }),
  /** The Collector's `compression_params`: gzip level 1 (fastest) to 9 (smallest). */
  compression_params: z.strictObject({
    level: int().pipe(z.number().min(1).max(9, { error: 'gzip levels are 1 to 9' })),
  }),
  /** Per attempt (0 = none). */
  timeout: duration(),
  /** The Collector's client `tls` settings for an `https://` endpoint (`ca_file`, `insecure_skip_verify`, …). */
  tls: tlsClientSchema.optional(),
  retry_on_failure: retryOnFailureSchema,
  /** Off by default here (the Collector's is on): see the README's "Sending queue". */
  sending_queue: sendingQueueSchema,
  fallback: fallbackSchema,
  /** Where items Opik refuses for good are written (JSON lines, with the error). */
  dead_letter: z.strictObject({ path: str().optional(), directory: str().optional() }),
  /** Probe whether this Opik honours `opik.*` id overrides (2.1+) before using its OTLP endpoint. */
  detect_id_overrides: bool(),
  /** Opik Cloud refuses ids whose UUIDv7 time is more than `window` from now. */
  ingestion_window: z.strictObject({
    check: z.union([z.literal('auto'), bool()]),
    window: duration(),
    outside: z.enum(['dead_letter', 'send'], { error: 'expected dead_letter or send' }),
  }),
  /** How long the first timestamp of an OTel trace is remembered (Opik's `OTEL_TTL_INTERVAL`). */
  trace_id_memory: z.strictObject({
    ttl: duration(),
    max_entries: int().pipe(z.number().min(1)),
    /** A storage extension holding the memory (default: the persistent queue's, else memory). */
    storage: str().optional(),
  }),
  /**
   * Largest request body sent, in bytes as sent (after compression); larger requests are split
   * first. 0 = none of our own (Opik's own limit, learnt from a 413, is honoured either way).
   */
  max_request_body_size: int({ min: 0 }),
  /** Items per REST request and spans per OTLP request (Opik allows 1 to 1000). */
  max_items_per_request: int().pipe(
    z.number().min(1).max(1000, { error: 'Opik takes at most 1000' }),
  ),
});
export type OpikConfig = z.infer<typeof opikConfigSchema>;

/**
 * The defaults. The sending queue is off unless the user writes a `sending_queue` block: a block
 * without `enabled` turns it on, as the Collector's default `enabled: true` would.
 */
export function createDefaultOpikConfig(
  user: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  return {
    endpoint: 'http://localhost:5173/api',
    api_key: '',
    workspace: 'default',
    project_name: 'Default Project',
    compression: 'gzip',
    compression_params: { level: 1 },
    timeout: '30s',
    retry_on_failure: defaultRetryOnFailure(),
    sending_queue: { ...defaultSendingQueue(), enabled: isMap(user.sending_queue) },
    fallback: defaultFallback(),
    dead_letter: {},
    detect_id_overrides: true,
    ingestion_window: { check: 'auto', window: '24h', outside: 'dead_letter' },
    trace_id_memory: { ttl: '3h', max_entries: 100_000 },
    max_items_per_request: 1000,
    max_request_body_size: 0,
  };
}

export function validateOpikConfig(c: OpikConfig): ConfigIssue[] {
  const issues = [
    ...validateRetryOnFailure(c.retry_on_failure, 'retry_on_failure'),
    ...validateSendingQueue(c.sending_queue, 'sending_queue'),
  ];
  if (c.dead_letter.path !== undefined && c.dead_letter.directory !== undefined) {
    issues.push({ path: 'dead_letter', message: 'set path or directory, not both' });
  }
  if (c.ingestion_window.window <= 0) {
    issues.push({ path: 'ingestion_window::window', message: 'must be longer than 0' });
  }
  return issues;
}

/** Opik Cloud (and comet.com deployments) check the ingestion window; OSS does not by default. */
export function checksIngestionWindow(c: OpikConfig): boolean {
  if (c.ingestion_window.check !== 'auto') return c.ingestion_window.check;
  return /^https?:\/\/([^/]*\.)?comet\.com(:\d+)?(\/|$)/i.test(c.endpoint);
}
