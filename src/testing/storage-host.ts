import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileStorageConfigSchema } from '../extensions/file-storage/config.js';
import { createFileStorage, type FileStorage } from '../extensions/file-storage/file-storage.js';
import { TestHost, testSettings } from './settings.js';

/**
 * A host with a started `file_storage` extension (id `file_storage`) on `directory` (a fresh temp
 * directory by default): a second call with the same directory is the same store after a restart.
 */
export async function hostWithFileStorage(
  directory = mkdtempSync(join(tmpdir(), 'storage-')),
): Promise<{ host: TestHost; storage: FileStorage; directory: string }> {
  const storage = createFileStorage(
    testSettings('extension', 'file_storage'),
    fileStorageConfigSchema.parse({
      directory,
      create_directory: true,
      fsync: false,
      timeout: '1s',
    }),
  );
  await storage.start(new TestHost());
  const host = new TestHost();
  host.extensions.set('file_storage', storage);
  return { host, storage, directory };
}

/** A counter's value in a component's own registry, for the given labels (0 when untouched). */
export async function metricValue(
  settings: ReturnType<typeof testSettings>,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const m = settings.telemetry.registry.getSingleMetric(name);
  if (!m) return 0;
  const { values } = await m.get();
  const hit = values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x));
  return hit?.value ?? 0;
}
