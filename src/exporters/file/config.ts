import { z } from 'zod';
import { bool, duration, int, str } from '../../config/schema.js';
import type { ConfigIssue } from '../../errors/errors.js';

const atLeast = (min: number) =>
  int().refine((n) => n >= min, { error: `must be at least ${min}` });

/** Size- and age-based rotation, with the names and defaults of the Collector's file exporter. */
const rotationSchema = z.strictObject({
  /** Size in MiB at which the file is rotated. */
  max_megabytes: atLeast(1).default(100),
  /** Days to keep rotated files; 0 keeps them regardless of age. */
  max_days: atLeast(0).default(0),
  /** Rotated files to keep; 0 keeps all (`max_days` may still remove them). */
  max_backups: atLeast(0).default(100),
  /** Name rotated files by local time instead of UTC. */
  localtime: bool().default(false),
});

export const fileConfigSchema = z.strictObject({
  /** The file to write; its directory is created if missing. */
  path: str().refine((p) => p.trim() !== '', { error: 'path must be non-empty' }),
  /** Rotation; absent means the file grows without limit. `rotation:` alone takes the defaults. */
  rotation: z.preprocess((v) => (v === null ? {} : v), rotationSchema.optional()),
  /** Keep what the file holds at start instead of truncating it. */
  append: bool(),
  /** How often written lines are forced to disk (fsync); 0 forces every write. */
  flush_interval: duration(),
});

export type FileConfig = z.infer<typeof fileConfigSchema>;
export type RotationConfig = NonNullable<FileConfig['rotation']>;

/** No `path`: the user must give one (the schema reports it as missing). */
export function createDefaultConfig(): Record<string, unknown> {
  return { append: false, flush_interval: '1s' };
}

/** The Collector's rule: `append` and `rotation` do not go together. */
export function validate(config: FileConfig): ConfigIssue[] {
  if (config.append && config.rotation !== undefined) {
    return [
      {
        path: 'append',
        message:
          'append and rotation enabled at the same time is not supported; a rotated file is always continued, so drop append',
      },
    ];
  }
  return [];
}
