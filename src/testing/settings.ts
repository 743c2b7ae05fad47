import type { ComponentDetails } from '../component/details.js';
import type { CollectorStatus, ComponentStatus, Host, Kind, Settings } from '../component/types.js';
import { silentLogger } from '../telemetry/logger.js';
import { createTelemetry } from '../telemetry/telemetry.js';

/** Settings for a component under test: silent logger, its own metrics registry. */
export function testSettings(kind: Kind, id: string, pipelineId?: string): Settings {
  return { id, kind, pipelineId, logger: silentLogger(), telemetry: createTelemetry() };
}

/** A host with no extensions that records what the component reports. */
export class TestHost implements Host {
  readonly reports: ComponentStatus[] = [];
  readonly extensions = new Map<string, unknown>();
  private readonly providers: Array<() => ComponentDetails> = [];

  getExtension(id: string) {
    return this.extensions.get(id) as ReturnType<Host['getExtension']>;
  }

  reportStatus(status: ComponentStatus): void {
    this.reports.push(status);
  }

  publishDetails(provider: () => ComponentDetails): void {
    this.providers.push(provider);
  }

  /** What the component published, merged as the collector's host merges it. */
  details(): ComponentDetails {
    return Object.assign({}, ...this.providers.map((p) => p()));
  }

  collectorStatus(): CollectorStatus {
    return { ready: true, components: [], pipelines: [] };
  }
}
