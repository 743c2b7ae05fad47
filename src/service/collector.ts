import type { Logger } from 'pino';
import type { ResolvedConfig } from '../config/resolve.js';
import { buildGraph, type Graph } from '../pipeline/graph.js';
import { shutdownGraph, startGraph } from '../pipeline/lifecycle.js';
import type { HttpListener } from '../server/listen.js';
import { serveMetrics } from '../telemetry/metrics-server.js';
import { createTelemetry, type Telemetry } from '../telemetry/telemetry.js';

export interface Collector {
  readonly graph: Graph;
  readonly telemetry: Telemetry;
  /** The bound metrics address, when self-telemetry is on. */
  readonly metricsAddress: string | undefined;
  /** Stops receivers, drains processors and exporters, closes extensions. Idempotent. */
  shutdown(): Promise<void>;
}

/** Builds the pipelines of a resolved config, starts them and the metrics endpoint. */
export async function startCollector(config: ResolvedConfig, logger: Logger): Promise<Collector> {
  const telemetry = createTelemetry();
  for (const name of config.unsetEnv) {
    logger.warn(
      { variable: name },
      'config references an unset environment variable; it expands to ""',
    );
  }
  const graph = buildGraph(config, logger, telemetry);
  let metrics: HttpListener | undefined;
  if (config.telemetry.metrics.level !== 'none') {
    metrics = await serveMetrics(config.telemetry.metrics.address, telemetry.registry);
  }
  try {
    await startGraph(graph, logger);
  } catch (err) {
    await metrics?.close();
    throw err;
  }
  logger.info(
    {
      pipelines: config.pipelines.map((p) => p.id),
      metrics: metrics?.address,
    },
    'collector started',
  );
  let stopping: Promise<void> | undefined;
  return {
    graph,
    telemetry,
    metricsAddress: metrics?.address,
    shutdown() {
      stopping ??= (async () => {
        logger.info('collector shutting down');
        await shutdownGraph(graph, logger);
        await metrics?.close();
        logger.info('collector stopped');
      })();
      return stopping;
    },
  };
}
