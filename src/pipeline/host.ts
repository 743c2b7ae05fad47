import type { Logger } from 'pino';
import type { ComponentDetails } from '../component/details.js';
import type {
  CollectorStatus,
  Component,
  ComponentHealth,
  ComponentStatus,
  Host,
  Kind,
  PipelineShape,
} from '../component/types.js';

/** The status board and extension directory behind every component's `Host` view. */
export class CollectorHost {
  private readonly statuses = new Map<string, ComponentHealth>();
  private readonly extensions = new Map<string, Component>();
  private readonly details = new Map<string, Array<() => ComponentDetails>>();
  ready = false;
  startedAt?: Date;

  constructor(
    private readonly logger: Logger,
    private readonly pipelines: readonly PipelineShape[] = [],
    private readonly now: () => Date = () => new Date(),
  ) {}

  addExtension(id: string, extension: Component): void {
    this.extensions.set(id, extension);
  }

  /** The host a component sees: its reports land under its own kind and id. */
  viewFor(kind: Kind, id: string): Host {
    const key = `${kind}:${id}`;
    return {
      getExtension: (extId) => this.extensions.get(extId),
      reportStatus: (status) => {
        // Once shutdown reached a component, its own late reports (a failure while draining)
        // would hide that it stopped.
        const current = this.statuses.get(key)?.state;
        if (current === 'stopping' || current === 'stopped') return;
        this.record(kind, id, status);
      },
      publishDetails: (provider) => {
        const list = this.details.get(key) ?? [];
        list.push(provider);
        this.details.set(key, list);
      },
      collectorStatus: () => this.status(),
    };
  }

  record(kind: Kind, id: string, status: ComponentStatus): void {
    const key = `${kind}:${id}`;
    const previous = this.statuses.get(key);
    const since = previous?.state === status.state ? previous.since : this.now();
    this.statuses.set(key, { id, kind, ...status, since });
    // Start-up and shutdown transitions are the collector's own news, and a failing export says
    // so itself; a component going degraded or failed, or recovering from either, is worth a
    // line of its own.
    const troubled = (state?: string) => state === 'degraded' || state === 'failed';
    if (previous?.state !== status.state && (troubled(status.state) || troubled(previous?.state))) {
      const level = troubled(status.state) ? 'warn' : 'info';
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
      pipelines: this.pipelines,
      components: [...this.statuses.entries()].map(([key, health]) => {
        const providers = this.details.get(key);
        if (!providers) return health;
        return { ...health, details: Object.assign({}, ...providers.map((p) => p())) };
      }),
    };
  }
}
