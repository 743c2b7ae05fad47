import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { TlsClientConfig } from '../../config/tls.js';

/** Something with connections to close. */
export interface Closable {
  close(): Promise<void> | void;
}

/**
 * A client built from files that may be renewed (the TLS `reload_interval`): once `intervalMs`
 * has passed, the files are read again, and if they changed the client is built again; calls
 * already made on the replaced client finish on it before it closes. 0 reads them once. If the
 * files cannot be read or the rebuild fails (a certificate mid-rotation), the current client
 * stays and the files are read again one interval later.
 */
export class Reloading<C extends Closable> {
  private current: C | undefined;
  private checkedAt = 0;
  private seen = '';

  constructor(
    private readonly build: () => C,
    private readonly files: TlsClientConfig,
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly now: () => number = Date.now,
  ) {}

  get(): C {
    if (this.current === undefined) {
      this.current = this.build(); // first: it names a file it cannot read
      this.seen = fingerprint(this.files);
      this.checkedAt = this.now();
      return this.current;
    }
    const interval = this.files.reload_interval;
    if (interval > 0 && this.now() - this.checkedAt >= interval) {
      this.checkedAt = this.now();
      try {
        const latest = fingerprint(this.files);
        if (latest !== this.seen) {
          const old = this.current;
          this.current = this.build();
          this.seen = latest;
          void Promise.resolve(old.close()).catch(() => {});
        }
      } catch (err) {
        this.logger.warn(
          { error: err instanceof Error ? err.message : String(err) },
          'cannot reload the TLS files; the current ones stay in use',
        );
      }
    }
    return this.current;
  }

  async close(): Promise<void> {
    const c = this.current;
    this.current = undefined;
    await c?.close();
  }
}

/** A digest of the TLS files' contents (missing settings count as empty). */
function fingerprint(t: TlsClientConfig): string {
  const hash = createHash('sha256');
  for (const f of [t.ca_file, t.cert_file, t.key_file]) {
    hash.update(f === undefined ? '' : readFileSync(f));
    hash.update('\0');
  }
  return hash.digest('hex');
}
