import { defineProcessorFactory } from '../../component/types.js';
import { createBatchProcessor } from './batch-processor.js';
import { batchConfigSchema, createDefaultConfig, validate } from './config.js';

/** `batch`: groups spans into larger batches by size and time. */
export const batchProcessorFactory = defineProcessorFactory({
  type: 'batch',
  stability: 'beta',
  configSchema: batchConfigSchema,
  createDefaultConfig,
  validate,
  create: createBatchProcessor,
});
