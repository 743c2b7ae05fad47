import type { Component, Host, Settings, TracesConsumer } from '../component/types.js';
import { spanCount } from '../pdata/count.js';
import type { Traces } from '../pdata/traces.js';

export interface ExporterLogic {
  /** Delivers one batch; rejects with a classified error (`PermanentError` / `RetryableError`). */
  push(traces: Traces): Promise<void>;
  start?(host: Host): Promise<void>;
  shutdown?(): Promise<void>;
}

/**
 * The simplest exporter: pushes each batch as it comes and counts what was sent or failed under
 * the Collector's names. Exporters that need a queue, retries or a fallback compose those senders
 * around `push` (see the other files in this folder).
 */
export function defineExporter(
  settings: Settings,
  logic: ExporterLogic,
): Component & TracesConsumer {
  const sent = settings.telemetry.exporterSentSpans.labels({ exporter: settings.id });
  const failed = settings.telemetry.exporterSendFailedSpans.labels({ exporter: settings.id });
  let stopped = false;
  return {
    async start(host) {
      await logic.start?.(host);
    },
    async shutdown() {
      if (stopped) return;
      stopped = true;
      await logic.shutdown?.();
    },
    async consume(traces) {
      const n = spanCount(traces);
      try {
        await logic.push(traces);
      } catch (err) {
        failed.inc(n);
        throw err;
      }
      sent.inc(n);
    },
  };
}
