import { defineReceiver } from '../../component/types.js';
import { createDefaultConfig, difyQueueReceiverConfigSchema, validate } from './config.js';
import { DifyQueueReceiver } from './receiver.js';

/** `receivers: dify_queue:` — Dify's own trace queue (Redis, storage, database), taken at least once. */
export const difyQueueReceiverFactory = defineReceiver({
  type: 'dify_queue',
  stability: 'alpha',
  configSchema: difyQueueReceiverConfigSchema,
  createDefaultConfig,
  validate,
  create: (settings, config, next) => new DifyQueueReceiver(settings, config, next),
});
