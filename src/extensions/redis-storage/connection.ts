import type { RedisClientType } from '@redis/client';
import { redactUrlCredentials } from '../../config/secret.js';
import { clientTlsOptions } from '../../config/tls.js';
import type { RedisStorageConfig } from './config.js';

export type RedisClient = RedisClientType;

/**
 * The URL with `username`/`password` from the config put in: they override the URL's unless
 * empty (`${env:REDIS_PASSWORD:-}` unset keeps the URL's password).
 */
export function connectionUrl(config: RedisStorageConfig): string {
  if (!config.username && !config.password) return config.url;
  const u = new URL(config.url);
  if (config.username) u.username = config.username;
  if (config.password) u.password = config.password;
  return u.toString();
}

/** Where Redis is, for logs and `doctor`: the URL without its password. */
export function addressOf(config: RedisStorageConfig): string {
  return redactUrlCredentials(config.url);
}

/**
 * A client for the configured Redis. The client library is loaded here, when a `redis_storage`
 * extension starts (or `doctor` checks one), not when the collector loads. Commands fail at once
 * while the connection is down (no offline queue): the id store answers from memory instead.
 * With `reconnect`, the client reconnects in the background, waiting up to a second between tries.
 */
export async function createRedisClient(
  config: RedisStorageConfig,
  reconnect: boolean,
): Promise<RedisClient> {
  const { createClient } = await import('@redis/client');
  const tls = config.url.toLowerCase().startsWith('rediss://');
  return createClient({
    url: connectionUrl(config),
    disableOfflineQueue: true,
    socket: {
      connectTimeout: config.connect_timeout,
      reconnectStrategy: reconnect ? (retries) => Math.min(50 * 2 ** retries, 1000) : false,
      ...(tls
        ? {
            tls: true as const,
            ...(config.tls ? clientTlsOptions(config.tls) : { minVersion: 'TLSv1.2' as const }),
          }
        : {}),
    },
  }) as unknown as RedisClient;
}

/** Runs a script with `EVAL` (see redis-id-store.ts for why not `EVALSHA`). */
export function evalOn(client: RedisClient) {
  return (script: string, keys: readonly string[], args: readonly string[]) =>
    client.sendCommand(['EVAL', script, String(keys.length), ...keys, ...args]);
}
