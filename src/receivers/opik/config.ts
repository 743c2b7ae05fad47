import { z } from 'zod';
import { bool, duration, endpoint, httpUrl, int, str } from '../../config/schema.js';
import { httpListenerSettings } from '../../server/server-settings.js';

/**
 * 64 MiB: the Python SDK splits batches at an estimated 50 MB of JSON (opik-sdk-ingest.md §4.1),
 * and a refused batch is dropped by the SDK, so the default must hold its largest batch.
 */
export const DEFAULT_MAX_REQUEST_BODY_SIZE = 64 * 1024 * 1024;

export const opikReceiverConfigSchema = z.strictObject({
  /** `host:port` to listen on; Dify's Opik URL is then `http://<host>:<port>/api/`. */
  endpoint: endpoint(),
  /**
   * Keys a caller must send in `Authorization`, raw as Opik's SDKs send them; none = any caller.
   * Empty entries are ignored, so `["${env:KEY:-}"]` with KEY unset means no key.
   */
  api_keys: z.array(str()),
  /** Largest body accepted, in bytes, as sent and again after decompression. */
  max_request_body_size: int({ min: 1 }),
  /**
   * `tls`, timeouts and the connection cap, as the other receivers'. No `auth`: callers use
   * Opik's own `Authorization` form (`api_keys`).
   */
  ...httpListenerSettings,
  /** How long a write waits for the pipeline before the receiver answers 429 (the client re-sends). */
  ack_timeout: duration(),
  /** Where every other Opik call is forwarded, with these credentials (the `opik` exporter's settings). */
  relay: z.strictObject({
    enabled: bool(),
    endpoint: httpUrl(),
    api_key: str(),
    workspace: str(),
    timeout: duration(),
  }),
});

export type OpikReceiverConfig = z.infer<typeof opikReceiverConfigSchema>;

export function createDefaultConfig(): Record<string, unknown> {
  return {
    endpoint: '0.0.0.0:4320',
    api_keys: [],
    max_request_body_size: DEFAULT_MAX_REQUEST_BODY_SIZE,
    ack_timeout: '20s',
    relay: {
      enabled: true,
      endpoint: 'http://localhost:5173/api',
      api_key: '',
      workspace: 'default',
      timeout: '60s',
    },
  };
}
