import type { Logger } from 'pino';
import type {
  Component,
  ExporterFactory,
  ExtensionFactory,
  Kind,
  ProcessorFactory,
  ReceiverFactory,
  Settings,
  TracesConsumer,
} from '../component/types.js';
import { componentKey, type ResolvedConfig } from '../config/resolve.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { fanout } from './fanout.js';
import { CollectorHost } from './host.js';
import { inTurns } from './turns.js';

/** One built component and where it sits, in start order. */
export interface Node {
  readonly kind: Kind;
  readonly id: string;
  readonly pipelineId?: string;
  readonly component: Component;
}

export interface Graph {
  /** Components in start order: extensions, exporters, processors (last first), receivers. */
  readonly nodes: readonly Node[];
  readonly host: CollectorHost;
}

/**
 * Builds the component graph from a resolved config. Receivers and exporters are shared by the
 * pipelines that name them; each pipeline gets its own processor instances (as in the Collector).
 */
export function buildGraph(config: ResolvedConfig, logger: Logger, telemetry: Telemetry): Graph {
  const host = new CollectorHost(logger, config.pipelines);
  const nodes: Node[] = [];
  const settings = (kind: Kind, id: string, pipelineId?: string): Settings => ({
    id,
    kind,
    pipelineId,
    logger: logger.child({
      component: `${kind}/${id}`,
      ...(pipelineId ? { pipeline: pipelineId } : {}),
    }),
    telemetry,
  });
  const resolved = (kind: Kind, id: string) => {
    const c = config.components.get(componentKey(kind, id));
    if (!c) throw new Error(`graph: ${kind} "${id}" was not resolved`);
    return c;
  };

  for (const id of config.extensions) {
    const c = resolved('extension', id);
    const component = (c.factory as ExtensionFactory).create(settings('extension', id), c.config);
    host.addExtension(id, component);
    nodes.push({ kind: 'extension', id, component });
  }

  const exporters = new Map<string, Component & TracesConsumer>();
  for (const p of config.pipelines) {
    for (const id of p.exporters) {
      if (exporters.has(id)) continue;
      const c = resolved('exporter', id);
      const exporter = (c.factory as ExporterFactory).create(settings('exporter', id), c.config);
      exporters.set(id, exporter);
      nodes.push({ kind: 'exporter', id, component: exporter });
    }
  }

  const pipelineHeads = new Map<string, TracesConsumer>();
  for (const p of config.pipelines) {
    let next: TracesConsumer = fanout(p.exporters.map((id) => exporters.get(id)!));
    for (const id of [...p.processors].reverse()) {
      const c = resolved('processor', id);
      const processor = (c.factory as ProcessorFactory).create(
        settings('processor', id, p.id),
        c.config,
        next,
      );
      nodes.push({ kind: 'processor', id, pipelineId: p.id, component: processor });
      next = processor;
    }
    pipelineHeads.set(p.id, next);
  }

  const receiverIds = [...new Set(config.pipelines.flatMap((p) => p.receivers))];
  for (const id of receiverIds) {
    const heads = config.pipelines
      .filter((p) => p.receivers.includes(id))
      .map((p) => pipelineHeads.get(p.id)!);
    const c = resolved('receiver', id);
    const receiver = (c.factory as ReceiverFactory).create(
      settings('receiver', id),
      c.config,
      inTurns(fanout(heads)),
    );
    nodes.push({ kind: 'receiver', id, component: receiver });
  }

  for (const n of nodes) host.record(n.kind, n.id, { state: 'starting' });
  return { nodes, host };
}
