import { defineExtension } from '../../component/types.js';
import { createDefaultConfig, type FileStorageConfig, fileStorageConfigSchema } from './config.js';
import { createFileStorage } from './file-storage.js';

/** `file_storage`: crash-safe SQLite stores for persistent queues and exporter memory. */
export const fileStorageExtensionFactory = defineExtension<FileStorageConfig>({
  type: 'file_storage',
  stability: 'beta',
  configSchema: fileStorageConfigSchema,
  createDefaultConfig,
  create: createFileStorage,
});
