import { defineReceiver } from '../../component/types.js';
import { createDefaultConfig, opikReceiverConfigSchema } from './config.js';
import { OpikReceiver } from './receiver.js';

/** `receivers: opik:` — Opik's ingest API, so Dify's Opik provider and Opik's SDKs send through the collector. */
export const opikReceiverFactory = defineReceiver({
  type: 'opik',
  stability: 'alpha',
  configSchema: opikReceiverConfigSchema,
  createDefaultConfig,
  listeners: (config) => [{ key: 'endpoint', endpoint: config.endpoint }],
  create: (settings, config, next) => new OpikReceiver(settings, config, next),
});
