import type { Component, Host, Settings, TracesConsumer } from '../component/types.js';
import { spanCount } from '../pdata/count.js';
import type { Traces } from '../pdata/traces.js';

export interface ProcessorLogic {
  /** Returns the batch to pass on (a new one, never the input mutated) or null to drop it all. */
  process(traces: Traces): Traces | null | Promise<Traces | null>;
  /**
   * False for a processor that never reads spans (it counts them at most): batches still in
   * their wire form then pass it undecoded (`TracesConsumer.takesWire`). Default true.
   */
  readonly readsSpans?: boolean;
  start?(host: Host): Promise<void>;
  shutdown?(): Promise<void>;
}

/**
 * Wraps a processing function into a pipeline stage: counts spans in and out, passes the result
 * on, and propagates the next stage's answer (errors included) to the caller. A processor that
 * holds data across calls (batch) implements `Component & TracesConsumer` itself instead.
 */
export function defineProcessor(
  settings: Settings,
  next: TracesConsumer,
  logic: ProcessorLogic,
): Component & TracesConsumer {
  const labels = { processor: settings.id, pipeline: settings.pipelineId ?? '' };
  const incoming = settings.telemetry.processorIncomingItems.labels(labels);
  const outgoing = settings.telemetry.processorOutgoingItems.labels(labels);
  let stopped = false;
  return {
    takesWire: logic.readsSpans === false && next.takesWire === true,
    async start(host) {
      await logic.start?.(host);
    },
    async shutdown() {
      if (stopped) return;
      stopped = true;
      await logic.shutdown?.();
    },
    async consume(traces) {
      incoming.inc(spanCount(traces));
      const result = await logic.process(traces);
      if (result === null) return;
      const n = spanCount(result);
      if (n === 0) return;
      outgoing.inc(n);
      await next.consume(result);
    },
  };
}
