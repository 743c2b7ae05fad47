import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type DifyQueueReceiverConfig, listsOf } from '../receivers/dify-queue/config.js';
import { DifyStorage } from '../receivers/dify-queue/dify-storage.js';
import { reasonOf } from '../receivers/dify-queue/outage.js';
import { type CheckResult, fail, pass } from './check.js';

/** BLMOVE, which takes a message atomically, came with Redis 6.2. */
const MIN_REDIS = [6, 2];

/**
 * For a `dify_queue` receiver: Dify's Redis (the broker) answers with the password given and is
 * recent enough, the storage root is Dify's and writable, and the database has Dify's tables.
 * Reads only (list lengths, file access, `to_regclass`); the clients are loaded here, not before.
 */
export async function checkDifyQueue(
  id: string,
  config: DifyQueueReceiverConfig,
): Promise<CheckResult[]> {
  const who = `receiver "${id}"`;
  return [
    await checkRedis(who, id, config),
    await checkStorage(who, id, config),
    await checkDatabase(who, id, config),
  ];
}

async function checkRedis(who: string, id: string, config: DifyQueueReceiverConfig) {
  const { TraceQueue } = await import('../receivers/dify-queue/redis-queue.js');
  const lists = listsOf(config.redis);
  const queue = new TraceQueue(config.redis.url, lists, () => {}, false);
  const key = `receivers::${id}::redis::url`;
  try {
    await queue.connect();
    const s = await queue.inspect();
    const version = s.version.split('.').map(Number);
    if (
      version[0]! < MIN_REDIS[0]! ||
      (version[0] === MIN_REDIS[0] && version[1]! < MIN_REDIS[1]!)
    ) {
      return fail(
        `${who}: Redis at ${queue.address} is ${s.version}; taking messages safely needs 6.2 or later (BLMOVE)`,
        'upgrade Redis to 6.2 or later (Dify’s docker compose runs redis:6-alpine, which is 6.2)',
      );
    }
    return pass(
      `${who}: Redis ${s.version} at ${queue.address} answers; ${lists.queue} holds ${s.queue} message(s), ${s.processing} being processed, ${s.deadLetter} set aside in ${lists.deadLetter}`,
    );
  } catch (err) {
    const reason = reasonOf((err as Error).cause ?? err);
    const auth = /WRONGPASS|NOAUTH|invalid password|AUTH/i.test(reason);
    return fail(
      `${who}: cannot use Redis at ${queue.address}: ${reason}`,
      auth
        ? `put Dify’s REDIS_PASSWORD in ${key} (redis://:<REDIS_PASSWORD>@redis:6379/1)`
        : `set ${key} to Dify’s CELERY_BROKER_URL (docker/.env: redis://:<REDIS_PASSWORD>@redis:6379/1) and run the collector where Dify’s redis service is reachable (its compose network)`,
    );
  } finally {
    queue.close();
  }
}

async function checkStorage(who: string, id: string, config: DifyQueueReceiverConfig) {
  const root = new DifyStorage(config.storage).root;
  const mount = `mount Dify’s storage volume (docker compose: ./volumes/app/storage, mounted at /app/api/storage in Dify’s api and worker) at ${root}, or set receivers::${id}::storage::root to where it is mounted`;
  try {
    if (!(await stat(root)).isDirectory()) {
      return fail(`${who}: the storage root ${root} is not a directory`, mount);
    }
  } catch (err) {
    return fail(`${who}: the storage root ${root} is not there: ${reasonOf(err)}`, mount);
  }
  const opsTrace = join(root, 'ops_trace');
  let apps: string[];
  try {
    apps = await readdir(opsTrace);
  } catch {
    return pass(
      `${who}: the storage root ${root} is a directory; it has no ops_trace/ yet (Dify writes it when a traced app runs)`,
    );
  }
  // The receiver deletes each envelope once its spans are in: it needs to write where Dify does.
  for (const dir of [opsTrace, ...apps.slice(0, 20).map((a) => join(opsTrace, a))]) {
    try {
      await access(dir, constants.R_OK | constants.W_OK | constants.X_OK);
    } catch {
      return fail(
        `${who}: cannot delete envelope files in ${dir} (no write access)`,
        'run the collector as the user Dify’s api writes as (uid 1001 in Dify’s images: `user: "1001:1000"` in compose), or give it write access to the storage volume',
      );
    }
  }
  return pass(`${who}: the storage root ${root} holds Dify’s ops_trace/ and is writable`);
}

async function checkDatabase(who: string, id: string, config: DifyQueueReceiverConfig) {
  const { NodeRows } = await import('../receivers/dify-queue/node-rows.js');
  const rows = new NodeRows(config.database.url, 1, new DifyStorage(config.storage), () => {});
  const key = `receivers::${id}::database::url`;
  try {
    const missing = await rows.missingTables();
    if (missing.length > 0) {
      return fail(
        `${who}: the database at ${rows.address} has no ${missing.join(', ')}: not Dify’s database, or a Dify before 1.9`,
        `point ${key} at Dify’s database (DB_DATABASE, default dify); Dify 1.9 or later is needed`,
      );
    }
    return pass(`${who}: Dify’s database at ${rows.address} has its node-execution tables`);
  } catch (err) {
    return fail(
      `${who}: cannot read Dify’s database at ${rows.address}: ${reasonOf((err as Error).cause ?? err)}`,
      `set ${key} to postgres://<DB_USERNAME>:<DB_PASSWORD>@<DB_HOST>:<DB_PORT>/<DB_DATABASE> from Dify’s docker/.env, reachable from the collector (Dify’s compose network)`,
    );
  } finally {
    await rows.close();
  }
}
