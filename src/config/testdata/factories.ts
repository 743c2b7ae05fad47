import { z } from 'zod';
import {
  type AnyFactory,
  defineExporterFactory,
  defineProcessorFactory,
  defineReceiver,
} from '../../component/types.js';
import { duration, endpoint, int, str } from '../schema.js';

const nop = { start: async () => {}, shutdown: async () => {}, consume: async () => {} };

/** Small factories with the shapes real components have, for config tests. */
export const testFactories: AnyFactory[] = [
  defineReceiver({
    type: 'otlp',
    stability: 'beta',
    configSchema: z.strictObject({
      protocols: z.strictObject({
        http: z.strictObject({ endpoint: endpoint() }).optional(),
        grpc: z.strictObject({ endpoint: endpoint() }).optional(),
      }),
    }),
    createDefaultConfig: () => ({ protocols: {} }),
    listeners: (c) =>
      Object.entries(c.protocols).flatMap(([name, p]) =>
        p ? [{ key: `protocols::${name}::endpoint`, endpoint: p.endpoint }] : [],
      ),
    create: () => nop,
  }),
  defineProcessorFactory({
    type: 'batch',
    stability: 'beta',
    configSchema: z.strictObject({
      send_batch_size: int(),
      send_batch_max_size: int(),
      timeout: duration(),
    }),
    createDefaultConfig: () => ({ send_batch_size: 8192, send_batch_max_size: 0, timeout: '200ms' }),
    validate: (c) =>
      c.send_batch_max_size !== 0 && c.send_batch_max_size < c.send_batch_size
        ? [{ path: 'send_batch_max_size', message: 'must be greater than or equal to send_batch_size' }]
        : [],
    create: () => nop,
  }),
  defineExporterFactory({
    type: 'debug',
    stability: 'beta',
    configSchema: z.strictObject({ verbosity: z.enum(['basic', 'normal', 'detailed']) }),
    createDefaultConfig: () => ({ verbosity: 'basic' }),
    create: () => nop,
  }),
  defineExporterFactory({
    type: 'opik',
    stability: 'alpha',
    configSchema: z.strictObject({ endpoint: str(), api_key: str(), workspace: str() }),
    createDefaultConfig: () => ({ endpoint: 'http://localhost:5173/api', api_key: '', workspace: 'default' }),
    create: () => nop,
  }),
];
