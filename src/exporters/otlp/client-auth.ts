import type { Logger } from 'pino';
import { type AuthSettings, clientAuthenticator } from '../../component/auth.js';
import type { Host } from '../../component/types.js';

/**
 * The credentials an OTLP exporter's `auth: { authenticator }` adds to every request, asked of
 * the extension per request (so a token file that changed is sent from then on). Without `auth`,
 * none. Warns once at start when they would travel in plain text (the Collector refuses that; here
 * it is the operator's choice, as on a private network).
 */
export class ClientAuth {
  private headersOf: () => Record<string, string> = () => ({});

  constructor(private readonly auth: AuthSettings | undefined) {}

  /** Finds the authenticator among the host's extensions (throws when it is not one). */
  open(host: Host, plainText: boolean, logger: Logger): void {
    if (!this.auth) return;
    const authenticator = clientAuthenticator(host, this.auth);
    this.headersOf = () => authenticator.authHeaders();
    if (plainText) {
      logger.warn(
        { authenticator: this.auth.authenticator },
        'credentials are sent without TLS; anyone on the network path can read them',
      );
    }
  }

  headers(): Record<string, string> {
    return this.headersOf();
  }
}
