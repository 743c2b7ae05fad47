import { defineReceiver, type Listener } from '../../component/types.js';
import { authExtensionRefs } from '../../server/server-settings.js';
import {
  createDefaultConfig,
  type OtlpReceiverConfig,
  otlpConfigSchema,
  validate,
} from './config.js';
import { createOtlpReceiver } from './receiver.js';

export const otlpReceiverFactory = defineReceiver<OtlpReceiverConfig>({
  type: 'otlp',
  stability: 'beta',
  configSchema: otlpConfigSchema,
  createDefaultConfig,
  validate,
  listeners(config): Listener[] {
    const out: Listener[] = [];
    if (config.protocols.http)
      out.push({ key: 'protocols::http::endpoint', endpoint: config.protocols.http.endpoint });
    if (config.protocols.grpc)
      out.push({ key: 'protocols::grpc::endpoint', endpoint: config.protocols.grpc.endpoint });
    return out;
  },
  extensions: (config) => [
    ...authExtensionRefs('protocols::http::', config.protocols.http),
    ...authExtensionRefs('protocols::grpc::', config.protocols.grpc),
  ],
  create: createOtlpReceiver,
});
