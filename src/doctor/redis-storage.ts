import type { RedisStorageConfig } from '../extensions/redis-storage/config.js';
import { addressOf, createRedisClient, evalOn } from '../extensions/redis-storage/connection.js';
import { PUT_IF_ABSENT } from '../extensions/redis-storage/redis-id-store.js';
import { reasonOf } from '../receivers/dify-queue/outage.js';
import { withTimeout } from '../storage/fallback-id-store.js';
import { type CheckResult, fail, pass } from './check.js';

/** Versions before 6.0 are out of support (and have no ACL users); 7.0 is what the tests run. */
export const MIN_REDIS = [6, 0] as const;

export function redisVersionOk(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > MIN_REDIS[0] || (major === MIN_REDIS[0] && minor >= MIN_REDIS[1]);
}

/**
 * For a `redis_storage` extension: Redis is reachable, takes the credentials given, is recent
 * enough, and lets the collector write its keys (the id store's own script on a probe key, which
 * expires by itself and is deleted at once). The client is loaded here, not before.
 */
export async function checkRedisStorage(
  id: string,
  config: RedisStorageConfig,
): Promise<CheckResult> {
  const who = `extension "${id}"`;
  const at = addressOf(config);
  const key = (k: string) => `extensions::${id}::${k}`;
  const client = await createRedisClient(config, false);
  client.on('error', () => {});
  try {
    try {
      await withTimeout(client.connect(), config.connect_timeout);
    } catch (err) {
      const reason = reasonOf(err);
      if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(reason)) {
        return fail(
          `${who}: Redis at ${at} refuses the credentials: ${reason}`,
          `put Redis' password in ${key('url')} (redis://:<password>@host:6379/0) or in ${key('password')}; for an ACL user also ${key('username')}`,
        );
      }
      if (/certificate|SSL|TLS|EPROTO|wrong version number|self.signed/i.test(reason)) {
        return fail(
          `${who}: no TLS connection to Redis at ${at}: ${reason}`,
          `set ${key('tls::ca_file')} to the CA that signed Redis' certificate (and ${key('tls::server_name_override')} if the name differs); a Redis without TLS takes redis://, not rediss://`,
        );
      }
      return fail(
        `${who}: cannot reach Redis at ${at}: ${reason}`,
        `check the host and port in ${key('url')} and run the collector where Redis is reachable; \`redis-cli -u <url> ping\` from there should answer PONG`,
      );
    }
    const info = String(await client.info());
    const field = (name: string) => new RegExp(`^${name}:([^\\r\\n]+)`, 'm').exec(info)?.[1];
    const version = field('redis_version') ?? 'unknown';
    if (!redisVersionOk(version)) {
      return fail(
        `${who}: Redis at ${at} is ${version}; ${MIN_REDIS.join('.')} or later is needed`,
        'upgrade Redis (Dify’s docker compose runs redis:6-alpine, which is recent enough)',
      );
    }
    const probe = `${config.key_prefix}:doctor:${process.pid}`;
    try {
      await evalOn(client)(PUT_IF_ABSENT, [probe], ['10000', 'probe']);
      await client.del(probe);
    } catch (err) {
      return fail(
        `${who}: Redis ${version} at ${at} does not let the collector write: ${reasonOf(err)}`,
        writeFix(reasonOf(err), config.key_prefix, key('url')),
      );
    }
    const policy = field('maxmemory_policy');
    const evicts = policy?.startsWith('allkeys')
      ? ': it may evict ids before their TTL and split traces; volatile-ttl or noeviction keep them'
      : '';
    return pass(
      `${who}: Redis ${version} at ${at} answers and takes writes to ${config.key_prefix}:*${policy ? ` (maxmemory-policy ${policy}${evicts})` : ''}`,
    );
  } finally {
    if (client.isOpen) client.destroy();
  }
}

function writeFix(reason: string, prefix: string, urlKey: string): string {
  if (/READONLY/.test(reason))
    return `this Redis is a read-only replica: point ${urlKey} at the primary`;
  if (/^OOM|OOM command/.test(reason))
    return 'Redis is full (maxmemory with noeviction): raise maxmemory, or set maxmemory-policy volatile-ttl (every key the collector writes has a TTL)';
  if (/NOPERM/.test(reason))
    return `the ACL user may not run scripts on these keys: grant it \`+@scripting +@read +@write ~${prefix}:*\``;
  if (/MISCONF/.test(reason))
    return 'Redis refuses writes because it cannot save its data to disk: fix its disk or persistence settings (see its log)';
  return 'check Redis’ log for why it refuses writes';
}
