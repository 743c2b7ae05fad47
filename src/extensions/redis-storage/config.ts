import { z } from 'zod';
import { duration, str } from '../../config/schema.js';
import { redactUrlCredentials } from '../../config/secret.js';
import { tlsClientSchema } from '../../config/tls.js';
import type { ConfigIssue } from '../../errors/errors.js';

/** What is wrong with a Redis URL (`redis[s]://[[user]:password@]host[:port][/db]`), if anything. */
export function redisUrlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    return 'must start with redis:// or rediss://';
  if (u.hostname === '') return 'has no host';
  if (!/^\/?(\d+)?$/.test(u.pathname)) return 'may end only in a database number, as /2';
  return undefined;
}

/**
 * `redis_storage` settings: what users of Redis clients know (a URL with user, password and
 * database; `rediss://` for TLS), the Collector's client `tls` block, timeouts, and a key prefix.
 */
export const redisStorageConfigSchema = z.strictObject({
  url: str().superRefine((v, ctx) => {
    const problem = redisUrlProblem(v);
    if (problem)
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(redactUrlCredentials(v))} ${problem} (expected redis://[:password@]host:6379/0 or rediss://…)`,
      });
  }),
  /** ACL user (Redis 6+); overrides the URL's unless empty. */
  username: str().optional(),
  /** Overrides the URL's password unless empty, so it can come from `${env:REDIS_PASSWORD}` as it is. */
  password: str().optional(),
  /** Every key starts with it and a colon; collectors that share ids use the same prefix. */
  key_prefix: str().refine((v) => v.trim() !== '', { error: 'must not be empty' }),
  /** For `rediss://` URLs: a CA to trust, a client certificate, the name to check, versions. */
  tls: tlsClientSchema.optional(),
  /** How long to wait for a connection (at start, the collector then starts without Redis). */
  connect_timeout: duration(),
  /** How long a call may take before it is answered from local memory instead. */
  command_timeout: duration(),
});

export type RedisStorageConfig = z.infer<typeof redisStorageConfigSchema>;

export function createDefaultConfig(): Record<string, unknown> {
  return {
    url: 'redis://localhost:6379/0',
    key_prefix: 'dify-opik-collector',
    connect_timeout: '5s',
    command_timeout: '500ms',
  };
}

export function validate(c: RedisStorageConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (c.tls && !c.url.toLowerCase().startsWith('rediss://')) {
    issues.push({ path: 'tls', message: 'tls settings apply to rediss:// URLs only' });
  }
  if (c.tls?.insecure) {
    issues.push({
      path: 'tls::insecure',
      message: 'use a redis:// URL for a connection without TLS',
    });
  }
  for (const key of ['connect_timeout', 'command_timeout'] as const) {
    if (c[key] <= 0) issues.push({ path: key, message: 'must be longer than 0' });
  }
  return issues;
}
