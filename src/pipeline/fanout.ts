import type { TracesConsumer } from '../component/types.js';
import { isPermanent } from '../errors/errors.js';
import type { Traces } from '../pdata/traces.js';

/**
 * Sends one batch to several consumers (a receiver feeding several pipelines, a pipeline feeding
 * several exporters). Waits for all of them; fails if any failed, as permanent only when every
 * failure is permanent, so the client retries whenever a retry could help. Batches are immutable,
 * so nothing is cloned.
 */
export function fanout(consumers: readonly TracesConsumer[]): TracesConsumer {
  if (consumers.length === 1) return consumers[0]!;
  return {
    takesWire: consumers.every((c) => c.takesWire === true),
    async consume(traces: Traces): Promise<void> {
      const results = await Promise.allSettled(consumers.map((c) => c.consume(traces)));
      const failures = results.flatMap((r) =>
        r.status === 'rejected' ? [r.reason as unknown] : [],
      );
      if (failures.length === 0) return;
      throw failures.find((f) => !isPermanent(f)) ?? failures[0];
    },
  };
}
