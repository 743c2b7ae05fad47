import type { Logger } from 'pino';
import { CollectorError, errorMessage } from '../errors/errors.js';
import type { Graph, Node } from './graph.js';

const label = (n: Node) =>
  `${n.kind} "${n.id}"${n.pipelineId ? ` in pipeline "${n.pipelineId}"` : ''}`;

/**
 * Starts every component, downstream first, so nothing receives data before its consumers can
 * take it. If one fails, the ones already started are shut down and the error names the culprit.
 */
export async function startGraph(graph: Graph, logger: Logger): Promise<void> {
  const started: Node[] = [];
  for (const node of graph.nodes) {
    try {
      await node.component.start(graph.host.viewFor(node.kind, node.id));
    } catch (err) {
      graph.host.record(node.kind, node.id, { state: 'failed', reason: errorMessage(err) });
      await shutdownNodes(started.reverse(), graph, logger);
      throw new CollectorError(
        'ERR_COMPONENT_START',
        `failed to start ${label(node)}: ${errorMessage(err)}`,
        {
          cause: err,
        },
      );
    }
    graph.host.record(node.kind, node.id, { state: 'ok' });
    started.push(node);
  }
  graph.host.ready = true;
  graph.host.startedAt = new Date();
}

/**
 * Shuts down upstream first: receivers stop taking data, processors flush what they hold into
 * the exporters, exporters drain, extensions (storage) close last. Errors are logged, not thrown,
 * so one stuck component cannot keep the others from closing.
 *
 * Receivers are not awaited before the rest: they stop accepting at once, but a request already
 * inside may be waiting for a batch that only the processors' shutdown flushes. Awaiting the
 * receiver first would wait for that request forever, so its shutdown is awaited at the end.
 */
export async function shutdownGraph(graph: Graph, logger: Logger): Promise<void> {
  graph.host.ready = false;
  const ordered = [...graph.nodes].reverse();
  const receivers = ordered
    .filter((n) => n.kind === 'receiver')
    .map((n) => shutdownNode(n, graph, logger));
  for (const node of ordered.filter((n) => n.kind !== 'receiver'))
    await shutdownNode(node, graph, logger);
  await Promise.all(receivers);
}

async function shutdownNodes(nodes: readonly Node[], graph: Graph, logger: Logger): Promise<void> {
  for (const node of nodes) await shutdownNode(node, graph, logger);
}

async function shutdownNode(node: Node, graph: Graph, logger: Logger): Promise<void> {
  graph.host.record(node.kind, node.id, { state: 'stopping' });
  try {
    await node.component.shutdown();
    graph.host.record(node.kind, node.id, { state: 'stopped' });
  } catch (err) {
    graph.host.record(node.kind, node.id, { state: 'failed', reason: errorMessage(err) });
    logger.error({ err, component: label(node) }, 'shutdown failed');
  }
}
