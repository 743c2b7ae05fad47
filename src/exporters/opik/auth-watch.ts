import type { Logger } from 'pino';
import type { Host } from '../../component/types.js';

/**
 * Turns refused credentials into one loud log line and a `degraded` health report, and a later
 * accepted request into one "accepted again" line and `ok`; nothing in between, however many
 * requests fail (each is still retried, so no data is dropped).
 */
export class AuthWatch {
  private host?: Host;
  private degraded = false;

  constructor(private readonly logger: Logger) {}

  attach(host: Host): void {
    this.host = host;
  }

  refused(reason: string): void {
    if (this.degraded) return;
    this.degraded = true;
    this.logger.error(
      { reason },
      'Opik refused the credentials or workspace: check api_key and workspace; data is kept and retried',
    );
    this.host?.reportStatus({
      state: 'degraded',
      reason: `Opik refused the credentials: ${reason}`,
    });
  }

  accepted(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.logger.info('Opik accepts the credentials again');
    this.host?.reportStatus({ state: 'ok' });
  }
}
