import { z } from 'zod';
import { endpoint } from '../../config/schema.js';
import { httpListenerSettings } from '../../server/server-settings.js';

/** The `status` extension's settings (the Collector's zpages name its one setting the same). */
export const statusConfigSchema = z.strictObject({
  /** `host:port` the page and its JSON listen on; localhost by default (it shows internals). */
  endpoint: endpoint(),
  /** `tls`, timeouts and the connection cap, as the receivers' (no `auth`: see the README). */
  ...httpListenerSettings,
});

export type StatusConfig = z.infer<typeof statusConfigSchema>;

export function createDefaultConfig(): Record<string, unknown> {
  return { endpoint: 'localhost:55679' };
}
