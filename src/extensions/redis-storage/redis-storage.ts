import type { Host, Settings } from '../../component/types.js';
import { reasonOf } from '../../receivers/dify-queue/outage.js';
import type { StorageExtension } from '../../storage/extension.js';
import {
  type FallbackIdStore,
  fallbackIdStore,
  withTimeout,
} from '../../storage/fallback-id-store.js';
import type { IdStore } from '../../storage/id-store.js';
import { memoryIdStore } from '../../storage/memory-id-store.js';
import type { RedisStorageConfig } from './config.js';
import { addressOf, createRedisClient, evalOn, type RedisClient } from './connection.js';
import { redisIdStore } from './redis-id-store.js';

/** How often a Redis that is down is asked again (a PING, then reconciling). */
export const PROBE_INTERVAL_MS = 1000;

export interface RedisStorage extends StorageExtension {
  idStore: NonNullable<StorageExtension['idStore']>;
  /** Whether id stores use Redis now (false while it is down and while reconciling). */
  readonly available: boolean;
}

/**
 * `redis_storage`: id stores shared by every collector that names the same Redis (the Opik
 * trace-id memory, as Opik's own OTLP endpoint keeps it in Redis). One connection per extension;
 * each component that asks gets its own store over it, with local memory as mirror and stand-in
 * (`fallbackIdStore`). While Redis is down or slow the stores answer from memory: one warning,
 * the health `recoverable_error`, `otelcol_storage_redis_available` 0. Every second a PING asks
 * again; once it answers, each store reconciles and Redis is used again.
 */
export function createRedisStorage(settings: Settings, config: RedisStorageConfig): RedisStorage {
  const { logger, telemetry } = settings;
  const address = addressOf(config);
  const label = { storage: settings.id };
  const outages = telemetry.counter(
    'otelcol_storage_redis_outages_total',
    'Times the redis_storage extension found Redis down or too slow and fell back to memory.',
    ['storage'],
  );
  const localCalls = telemetry.counter(
    'otelcol_storage_redis_local_calls_total',
    'Id store calls answered from local memory because Redis was down, slow, or being reconciled.',
    ['storage'],
  );
  const reconciledEntries = telemetry.counter(
    'otelcol_storage_redis_reconciled_entries_total',
    'Entries handed to Redis after an outage.',
    ['storage'],
  );
  const splitEntries = telemetry.counter(
    'otelcol_storage_redis_split_total',
    'Entries used with another value during an outage than Redis holds (space trace_timestamp: OTel traces written as two Opik traces), and parked records that could not be moved (space parked).',
    ['storage', 'space'],
  );
  telemetry.gauge(
    'otelcol_storage_redis_available',
    '1 while id stores use Redis, 0 while they answer from local memory.',
    ['storage'],
    (g) => g.labels(label).set(available ? 1 : 0),
  );

  let client: RedisClient | undefined;
  let host: Host | undefined;
  let available = false;
  let closed = false;
  let lastError = '';
  let probing: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  /** What the current outage cost, for the line logged when it ends. */
  const outage = { local: 0, reconciled: 0, split: 0 };
  const stores = new Set<FallbackIdStore>();

  function down(err: unknown): void {
    for (const s of stores) s.useLocal();
    // Probing means the outage is known already (a store failing while it reconciles).
    if (closed || probing !== undefined) return;
    available = false;
    const reason = reasonOf(err);
    outages.inc(label);
    Object.assign(outage, { local: 0, reconciled: 0, split: 0 });
    logger.warn(
      { redis: address, reason },
      'redis_storage: Redis is unavailable; Opik ids come from local memory until it answers again',
    );
    host?.reportStatus({
      state: 'recoverable_error',
      reason: `Redis at ${address} is unavailable (${reason}); using local memory`,
    });
    probing = probe().finally(() => {
      probing = undefined;
    });
  }

  async function probe(): Promise<void> {
    while (!closed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, PROBE_INTERVAL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (closed || !client) return;
      try {
        await withTimeout(client.ping(), config.command_timeout);
        // A store made while reconciling starts local too: repeat until every store is shared.
        for (let left = [...stores]; left.length > 0; left = [...stores].filter((s) => !s.shared)) {
          for (const s of left) await s.reconcile();
        }
      } catch (err) {
        lastError = reasonOf(err);
        continue;
      }
      available = true;
      logger.info(
        { redis: address, ...outage },
        `redis_storage: Redis answers again; ${outage.reconciled} entries reconciled, ${outage.split} split, ${outage.local} calls answered from memory meanwhile`,
      );
      host?.reportStatus({ state: 'ok' });
      return;
    }
  }

  const events = {
    failed: down,
    answeredLocally() {
      outage.local++;
      localCalls.inc(label);
    },
    reconciled(n: number) {
      outage.reconciled += n;
      reconciledEntries.inc(label, n);
    },
    split(space: string, n: number) {
      outage.split += n;
      splitEntries.inc({ ...label, space }, n);
    },
  };

  return {
    get available() {
      return available;
    },
    async start(h) {
      host = h;
      client = await createRedisClient(config, true);
      // Without a listener an 'error' event would end the process; the outage is logged once.
      client.on('error', (err: unknown) => {
        lastError = reasonOf(err);
      });
      const connecting = client.connect();
      connecting.catch(() => {});
      let refused: ((err: unknown) => void) | undefined;
      try {
        // The first connection error (refused, wrong password) ends the wait at once.
        const failed = new Promise<never>((_, reject) => {
          refused = reject;
          client!.once('error', reject);
        });
        await withTimeout(Promise.race([connecting, failed]), config.connect_timeout);
        available = true;
        logger.info({ redis: address }, 'redis_storage: connected');
      } catch (err) {
        // The collector starts anyway: ids come from memory until Redis answers.
        down(lastError === '' ? err : new Error(lastError));
      } finally {
        if (refused) client.off('error', refused);
      }
    },
    idStore(_owner, options): IdStore {
      if (!client) throw new Error(`extension "${settings.id}" is not started`);
      const shared = redisIdStore(evalOn(client), config.key_prefix, options);
      const store = fallbackIdStore(
        shared,
        memoryIdStore(options),
        { timeoutMs: config.command_timeout, startShared: available },
        events,
      );
      stores.add(store);
      return store;
    },
    async shutdown() {
      if (closed) return;
      closed = true;
      wake?.();
      await probing;
      if (client?.isOpen) client.destroy();
    },
  };
}
