import { defineReceiver } from '../../component/types.js';
import { authExtensionRefs } from '../../server/server-settings.js';
import { createDefaultConfig, difyReceiverConfigSchema } from './config.js';
import { DifyReceiver } from './receiver.js';

/** `receivers: dify:` — Dify's trace envelopes over HTTP, converted to spans. */
export const difyReceiverFactory = defineReceiver({
  type: 'dify',
  stability: 'alpha',
  configSchema: difyReceiverConfigSchema,
  createDefaultConfig,
  listeners: (config) => [{ key: 'endpoint', endpoint: config.endpoint }],
  extensions: (config) => authExtensionRefs('', config),
  create: (settings, config, next) => new DifyReceiver(settings, config, next),
});
