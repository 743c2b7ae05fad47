import type { Component, Host, Settings, TracesConsumer } from '../../component/types.js';
import { countedPush, defineExporter } from '../../exporterhelper/define-exporter.js';
import type { SendingQueueConfig } from '../../exporterhelper/queue/config.js';
import { MemoryQueueStore } from '../../exporterhelper/queue/memory-store.js';
import { createSendingQueue } from '../../exporterhelper/queue/sending-queue.js';
import { SqliteQueueStore } from '../../exporterhelper/queue/sqlite-store.js';
import type { Sender } from '../../exporterhelper/sender.js';
import { isStorage } from '../../extensions/file-storage/file-storage.js';
import { spanCount } from '../../pdata/count.js';
import type { Traces } from '../../pdata/traces.js';
import type { PartialRejections } from './partial-success.js';

/**
 * An OTLP exporter around its delivery chain (retry → timeout → one export): with
 * `sending_queue` on, `consume` returns once the batch is queued (in memory, or committed to the
 * `file_storage` extension's store) and `num_consumers` loops deliver; off, `consume` waits for the
 * delivery and the caller sees its error. A batch given up on (permanent error, or retries spent)
 * is dropped, logged at error level and counted, as the Collector does.
 */
export function queuedOtlpExporter(
  settings: Settings,
  queueConfig: SendingQueueConfig,
  chain: Sender<Traces>,
  partial: PartialRejections,
): Component & TracesConsumer {
  const never = new AbortController().signal;

  async function push(traces: Traces, signal: AbortSignal) {
    if (spanCount(traces) === 0) return;
    await chain.send(traces, signal);
    return { failedSpans: partial.take(traces) };
  }

  if (!queueConfig.enabled) {
    return defineExporter(settings, {
      push: (traces) => push(traces, never),
      start: (host) => chain.start(host),
      shutdown: () => chain.shutdown(),
    });
  }

  const counted = countedPush(settings);
  const queue = createSendingQueue({
    settings,
    config: queueConfig,
    openStore(host: Host) {
      const storageId = queueConfig.storage;
      if (storageId === undefined) return new MemoryQueueStore();
      const storage = host.getExtension(storageId);
      if (!isStorage(storage)) {
        throw new Error(
          `sending_queue.storage names "${storageId}", which is not a started file_storage extension`,
        );
      }
      return new SqliteQueueStore(storage.database('exporter', settings.id));
    },
    deliver: (traces, signal) => counted(traces, () => push(traces, signal)),
    async deadLetter(traces, reason) {
      settings.logger.error(
        { dropped_spans: spanCount(traces), reason },
        'export failed for good; the batch is dropped',
      );
    },
  });
  let stopped: Promise<void> | undefined;
  return {
    async start(host) {
      await chain.start(host);
      await queue.start(host);
    },
    // Queue first: it stops taking data and drains (memory) or keeps (disk) what it holds while
    // the chain can still deliver; then the chain closes its connections.
    shutdown() {
      stopped ??= (async () => {
        await queue.shutdown();
        await chain.shutdown();
      })();
      return stopped;
    },
    async consume(traces) {
      if (spanCount(traces) > 0) await queue.enqueue(traces);
    },
  };
}
