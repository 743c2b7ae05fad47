import { setImmediate as nextTurn } from 'node:timers/promises';
import type { TracesConsumer } from '../component/types.js';
import { spanCount } from '../pdata/count.js';
import { splitTraces } from '../pdata/split.js';
import type { Traces } from '../pdata/traces.js';

/**
 * Most spans a receiver hands to its pipelines in one turn of the event loop. Processors and the
 * exporters' first steps (Opik ids, the persistent queue's encoding) work through a batch without
 * a pause; at about 40 µs per GenAI span, this many keeps a turn near 20 ms.
 */
export const SPANS_PER_TURN = 512;

/**
 * What a receiver gets as its pipelines: a request of more than `SPANS_PER_TURN` spans (up to
 * `max_spans_per_request`, 16,384 by default) goes on in parts, one after the other, with a turn of
 * the event loop between them, so that no single request holds the loop while the pipeline works
 * through it (health checks, other clients and deliveries keep moving). The request is answered
 * once every part was accepted; when a part is refused the rest is not sent and the refusal is the
 * answer, so a client's retry sends again what was accepted (at least once, as every retry).
 */
export function inTurns(next: TracesConsumer, perTurn = SPANS_PER_TURN): TracesConsumer {
  return {
    takesWire: next.takesWire,
    async consume(traces: Traces): Promise<void> {
      if (spanCount(traces) <= perTurn) return next.consume(traces);
      const parts = splitTraces(traces, perTurn);
      for (let i = 0; i < parts.length; i++) {
        if (i > 0) await nextTurn();
        await next.consume(parts[i]!);
      }
    },
  };
}
