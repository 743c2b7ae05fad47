/** Something with connections to close. */
export interface Closable {
  close(): Promise<void> | void;
}

/**
 * A client that is built again from its settings once `intervalMs` has passed (the TLS
 * `reload_interval`), so that renewed certificate files are read; 0 builds it once. Calls already
 * made on the replaced client finish on it before it closes. If a rebuild fails (a certificate
 * file mid-rotation), the current client stays and the rebuild is tried again one interval later.
 */
export class Reloading<C extends Closable> {
  private current: C | undefined;
  private builtAt = 0;

  constructor(
    private readonly build: () => C,
    private readonly intervalMs: number,
    private readonly onReloadError: (err: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get(): C {
    if (this.current === undefined) {
      this.current = this.build();
      this.builtAt = this.now();
    } else if (this.intervalMs > 0 && this.now() - this.builtAt >= this.intervalMs) {
      const old = this.current;
      try {
        this.current = this.build();
      } catch (err) {
        this.onReloadError(err);
        return old;
      } finally {
        this.builtAt = this.now();
      }
      void Promise.resolve(old.close()).catch(() => {});
    }
    return this.current;
  }

  async close(): Promise<void> {
    const c = this.current;
    this.current = undefined;
    await c?.close();
  }
}
