import type { Component, Host, Settings, TracesConsumer } from '../../component/types.js';
import { policyFromConfig } from '../../exporterhelper/backoff.js';
import { buildChain } from '../../exporterhelper/chain.js';
import type { RetryOnFailureConfig } from '../../exporterhelper/config.js';
import { countedPush, defineExporter } from '../../exporterhelper/define-exporter.js';
import type { SendingQueueConfig } from '../../exporterhelper/queue/config.js';
import { MemoryQueueStore } from '../../exporterhelper/queue/memory-store.js';
import { createSendingQueue } from '../../exporterhelper/queue/sending-queue.js';
import { SqliteQueueStore } from '../../exporterhelper/queue/sqlite-store.js';
import { senderOf } from '../../exporterhelper/sender.js';
import { isStorage } from '../../extensions/file-storage/file-storage.js';
import type { PartialSuccess } from '../../otlp/replies.js';
import { spanCount } from '../../pdata/count.js';
import type { Traces } from '../../pdata/traces.js';
import { PartialRejections } from './partial-success.js';

/** What the `otlp` and `otlphttp` exporters differ in: how one attempt is sent. */
export interface OtlpTransport {
  /** One attempt; resolves with the server's partial success, if any; rejects classified. */
  exportOnce(traces: Traces, signal: AbortSignal): Promise<PartialSuccess | undefined>;
  /** Opens the client (reads the TLS files); an error names what is wrong. */
  open(): void | Promise<void>;
  close(): Promise<void> | void;
}

/** The exporterhelper settings both OTLP exporters share. */
export interface OtlpHelperConfig {
  readonly timeout: number;
  readonly retry_on_failure: RetryOnFailureConfig;
  readonly sending_queue: SendingQueueConfig;
}

/**
 * An OTLP exporter around its transport, composed as the Collector's exporterhelper does:
 * [sending_queue] → retry → timeout → one export. With `sending_queue` on, `consume` returns once
 * the batch is queued (in memory, or committed to the `file_storage` extension's store) and
 * `num_consumers` loops deliver; off, `consume` waits for the delivery and the caller sees its
 * error. A batch given up on (permanent error, or retries spent) is dropped, logged at error level
 * and counted, as the Collector does.
 */
export function otlpExporter(
  settings: Settings,
  config: OtlpHelperConfig,
  transport: OtlpTransport,
): Component & TracesConsumer {
  const partial = new PartialRejections(settings.logger);
  const never = new AbortController().signal;
  const chain = buildChain<Traces>({
    primary: senderOf(
      async (traces, signal) => partial.note(traces, await transport.exportOnce(traces, signal)),
      {
        async start() {
          await transport.open();
        },
        shutdown: async () => transport.close(),
      },
    ),
    timeoutMs: config.timeout,
    retry: {
      enabled: config.retry_on_failure.enabled,
      ...policyFromConfig(config.retry_on_failure),
    },
    logger: settings.logger,
  });

  async function push(traces: Traces, signal: AbortSignal) {
    if (spanCount(traces) === 0) return;
    await chain.send(traces, signal);
    return { failedSpans: partial.take(traces) };
  }

  const queueConfig = config.sending_queue;
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
