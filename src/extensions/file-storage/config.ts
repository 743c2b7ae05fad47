import { z } from 'zod';
import { bool, duration, str } from '../../config/schema.js';

/** `file_storage` settings: the Collector's names; SQLite instead of bbolt underneath. */
export const fileStorageConfigSchema = z.strictObject({
  directory: str().refine((d) => d.trim() !== '', { error: 'must not be empty' }),
  create_directory: bool(),
  fsync: bool(),
  timeout: duration(),
});

export type FileStorageConfig = z.infer<typeof fileStorageConfigSchema>;

export function createDefaultConfig(): Record<string, unknown> {
  // create_directory is true here (the Collector's default is false): a sidecar's first start
  // on an empty volume should just work.
  return { directory: './data', create_directory: true, fsync: false, timeout: '1s' };
}
