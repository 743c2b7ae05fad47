import type { IdSpace, IdStore, IdStoreOptions } from '../../storage/id-store.js';

/**
 * Runs one Lua script (`EVAL`) on the connection the calls of this store share. Calls made in
 * one tick are written together (pipelined) and Redis runs them in that order.
 */
export type EvalScript = (
  script: string,
  keys: readonly string[],
  args: readonly string[],
) => Promise<unknown>;

/**
 * Each script works on every key of a call, atomically (Redis runs a script alone), and sets
 * every key it reads or writes to live `ARGV[1]` ms from now. `EVAL` with the script's text each
 * time rather than `EVALSHA`: a Redis restarted empty has no script cache, and retrying after
 * `NOSCRIPT` would apply that call after calls issued behind it.
 */
export const PUT_IF_ABSENT = `local out = {}
for i, k in ipairs(KEYS) do
  local v = redis.call('GET', k)
  if v then redis.call('PEXPIRE', k, ARGV[1]) else v = ARGV[i + 1]; redis.call('SET', k, v, 'PX', ARGV[1]) end
  out[i] = v
end
return out`;

const GET = `local out = {}
for i, k in ipairs(KEYS) do
  local v = redis.call('GET', k)
  if v then redis.call('PEXPIRE', k, ARGV[1]) end
  out[i] = v
end
return out`;

/** KEYS: per trace its `opik_trace` key, then its parked list; ARGV[i + 1]: the i-th record. */
const PARK = `local out = {}
for i = 1, #KEYS / 2 do
  local trace, parked = KEYS[2 * i - 1], KEYS[2 * i]
  local v = redis.call('GET', trace)
  if v then redis.call('PEXPIRE', trace, ARGV[1])
  else redis.call('RPUSH', parked, ARGV[i + 1]); redis.call('PEXPIRE', parked, ARGV[1]) end
  out[i] = v
end
return out`;

const TAKE = `local out = {}
for i, k in ipairs(KEYS) do
  out[i] = redis.call('LRANGE', k, 0, -1)
  redis.call('DEL', k)
end
return out`;

/** Keys per script call: a long script would hold up every other client of the Redis. */
const CHUNK = 1000;

const SPACE_KEY: Record<IdSpace | 'parked', string> = {
  trace_timestamp: 'ts',
  opik_trace: 'trace',
  opik_span: 'span',
  parked: 'parked',
};

/**
 * Where an entry lives: `<prefix>:<namespace>:<space>:<key>`, for instance
 * `dify-opik-collector:default%7Cdefault%20project:ts:5b8efff798038103d269b633813fc60c`.
 * The namespace (workspace and project) is percent-encoded, so no project name can make two
 * keys meet.
 */
export function redisKey(
  prefix: string,
  namespace: string,
  space: IdSpace | 'parked',
  key: string,
): string {
  return `${prefix}:${encodeURIComponent(namespace)}:${SPACE_KEY[space]}:${key}`;
}

/**
 * The id store in Redis, shared by every collector that names the same Redis, prefix and Opik
 * project: first stored wins across all of them, reads refresh the TTL as Opik's `GETEX` does,
 * and parking is atomic against storing the trace's Opik id (one script per call). Each call is
 * one script per thousand keys; the calls of one batch travel in one round trip. Calls reject
 * when Redis cannot answer (the `redis_storage` extension falls back to memory then). Redis
 * expires keys by itself; `maxEntries` does not apply (Redis' `maxmemory` does).
 */
export function redisIdStore(
  evalScript: EvalScript,
  prefix: string,
  options: Pick<IdStoreOptions, 'ttlMs' | 'namespace'>,
): IdStore {
  const ttl = String(Math.max(1, Math.round(options.ttlMs)));
  const key = (space: IdSpace | 'parked', k: string) =>
    redisKey(prefix, options.namespace, space, k);

  /** Runs `script` over `items` a chunk at a time (all chunks issued at once, in order). */
  async function run<T>(
    script: string,
    items: readonly T[],
    keysOf: (item: T) => string[],
    argOf: ((item: T) => string) | undefined,
  ): Promise<unknown[]> {
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < items.length; i += CHUNK) {
      const chunk = items.slice(i, i + CHUNK);
      const args = argOf ? [ttl, ...chunk.map(argOf)] : [ttl];
      calls.push(evalScript(script, chunk.flatMap(keysOf), args));
    }
    return (await Promise.all(calls)).flat() as unknown[];
  }

  const found = (keys: readonly string[], replies: unknown[]) => {
    const out = new Map<string, string>();
    replies.forEach((v, i) => {
      if (typeof v === 'string') out.set(keys[i]!, v);
    });
    return out;
  };

  return {
    async putIfAbsent(space, entries) {
      const items = [...entries];
      const replies = await run(
        PUT_IF_ABSENT,
        items,
        ([k]) => [key(space, k)],
        ([, v]) => v,
      );
      return found(
        items.map(([k]) => k),
        replies,
      );
    },
    async get(space, keys) {
      const list = [...keys];
      if (list.length === 0) return new Map();
      return found(list, await run(GET, list, (k) => [key(space, k)], undefined));
    },
    async park(records) {
      const items = [...records];
      const replies = await run(
        PARK,
        items,
        ([t]) => [key('opik_trace', t), key('parked', t)],
        ([, r]) => r,
      );
      return found(
        items.map(([t]) => t),
        replies,
      );
    },
    async takeParked(traceIds) {
      const list = [...traceIds];
      const out = new Map<string, string[]>();
      if (list.length === 0) return out;
      const replies = await run(TAKE, list, (t) => [key('parked', t)], undefined);
      replies.forEach((records, i) => {
        if (Array.isArray(records) && records.length > 0) out.set(list[i]!, records.map(String));
      });
      return out;
    },
  };
}
