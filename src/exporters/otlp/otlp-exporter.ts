import type { Component, Host, Settings, TracesConsumer } from '../../component/types.js';
import { policyFromConfig } from '../../exporterhelper/backoff.js';
import { buildChain } from '../../exporterhelper/chain.js';
import type { RetryOnFailureConfig } from '../../exporterhelper/config.js';
import { exporterOf } from '../../exporterhelper/define-exporter.js';
import { deliveryWatch } from '../../exporterhelper/delivery-watch.js';
import type { SendingQueueConfig } from '../../exporterhelper/queue/config.js';
import { senderOf } from '../../exporterhelper/sender.js';
import type { PartialSuccess } from '../../otlp/replies.js';
import { spanCount } from '../../pdata/count.js';
import type { Traces } from '../../pdata/traces.js';
import { PartialRejections } from './partial-success.js';

/** What the `otlp` and `otlphttp` exporters differ in: how one attempt is sent. */
export interface OtlpTransport {
  /** One attempt; resolves with the server's partial success, if any; rejects classified. */
  exportOnce(traces: Traces, signal: AbortSignal): Promise<PartialSuccess | undefined>;
  /** Opens the client (reads the TLS files, finds its authenticator); an error names what is wrong. */
  open(host: Host): void | Promise<void>;
  close(): Promise<void> | void;
}

/** The exporterhelper settings both OTLP exporters share. */
export interface OtlpHelperConfig {
  readonly timeout: number;
  readonly retry_on_failure: RetryOnFailureConfig;
  readonly sending_queue: SendingQueueConfig;
}

/**
 * An OTLP exporter around its transport, composed by `chain.ts` as the Collector's exporterhelper
 * does: [sending_queue] → retry → timeout → one export. With `sending_queue` on, `consume`
 * returns once the batch is queued (in memory, or committed to the store of the storage extension
 * it names) and `num_consumers` loops deliver; off, `consume` waits for the delivery and the
 * caller sees its error. A batch given up on (permanent error, or retries spent) is dropped and
 * counted, as the Collector does, and the delivery watch logs it.
 */
export function otlpExporter(
  settings: Settings,
  config: OtlpHelperConfig,
  transport: OtlpTransport,
): Component & TracesConsumer {
  const partial = new PartialRejections(settings.logger);
  const watch = deliveryWatch(settings);
  const chain = buildChain<Traces>({
    settings,
    queue: config.sending_queue.enabled
      ? {
          config: config.sending_queue,
          async deadLetter(traces, reason) {
            watch.deadLettered(spanCount(traces), reason, null);
          },
        }
      : undefined,
    // The request is the batch itself; a partial success is noted against it.
    prepare: async (traces) => traces,
    failedSpans: (traces) => partial.take(traces),
    primary: senderOf(
      async (traces, signal) => partial.note(traces, await transport.exportOnce(traces, signal)),
      {
        async start(host) {
          await transport.open(host);
        },
        shutdown: async () => transport.close(),
      },
    ),
    timeoutMs: config.timeout,
    retry: {
      enabled: config.retry_on_failure.enabled,
      ...policyFromConfig(config.retry_on_failure),
    },
  });
  return exporterOf(chain);
}
