import { defineExtension } from '../../component/types.js';
import {
  createDefaultConfig,
  type RedisStorageConfig,
  redisStorageConfigSchema,
  validate,
} from './config.js';
import { createRedisStorage } from './redis-storage.js';

/** `redis_storage`: the Opik id memory shared by many collectors in one Redis. */
export const redisStorageExtensionFactory = defineExtension<RedisStorageConfig>({
  type: 'redis_storage',
  stability: 'alpha',
  configSchema: redisStorageConfigSchema,
  createDefaultConfig,
  validate,
  create: createRedisStorage,
});
