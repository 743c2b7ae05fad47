import type { Logger } from 'pino';
import type {
  CollectorStatus,
  Component,
  ComponentHealth,
  ComponentStatus,
  Host,
  Kind,
} from '../component/types.js';

/** The status board and extension directory behind every component's `Host` view. */
export class CollectorHost {
  private readonly statuses = new Map<string, ComponentHealth>();
  private readonly extensions = new Map<string, Component>();
  ready = false;
  startedAt?: Date;

  constructor(private readonly logger: Logger) {}

  addExtension(id: string, extension: Component): void {
    this.extensions.set(id, extension);
  }

  /** The host a component sees: its reports land under its own kind and id. */
  viewFor(kind: Kind, id: string): Host {
    return {
      getExtension: (extId) => this.extensions.get(extId),
      reportStatus: (status) => this.record(kind, id, status),
      collectorStatus: () => this.status(),
    };
  }

  record(kind: Kind, id: string, status: ComponentStatus): void {
    const key = `${kind}:${id}`;
    const previous = this.statuses.get(key)?.state;
    this.statuses.set(key, { id, kind, ...status });
    // Start-up and shutdown transitions are the collector's own news; a component going degraded,
    // failed, or recovering from either is worth a line of its own.
    const troubled = (state?: string) => state === 'degraded' || state === 'failed';
    if (previous !== status.state && (troubled(status.state) || troubled(previous))) {
      const level = status.state === 'failed' || status.state === 'degraded' ? 'warn' : 'info';
      this.logger[level](
        { component: `${kind}/${id}`, state: status.state, reason: status.reason },
        'component status changed',
      );
    }
  }

  status(): CollectorStatus {
    return {
      ready: this.ready,
      startedAt: this.startedAt,
      components: [...this.statuses.values()],
    };
  }
}
