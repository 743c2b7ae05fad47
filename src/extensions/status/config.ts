import { z } from 'zod';
import { endpoint } from '../../config/schema.js';

/** The `status` extension's settings (the Collector's zpages name its one setting the same). */
export const statusConfigSchema = z.strictObject({
  /** `host:port` the page and its JSON listen on; localhost by default (it shows internals). */
  endpoint: endpoint(),
});

export type StatusConfig = z.infer<typeof statusConfigSchema>;

export function createDefaultConfig(): Record<string, unknown> {
  return { endpoint: 'localhost:55679' };
}
