import { randomBytes } from 'node:crypto';
import { attributesFrom } from '../../../src/pdata/attributes.js';
import { makeSpan, makeTraces } from '../../../src/pdata/span.js';
import type { Span, Traces } from '../../../src/pdata/traces.js';

const ns = (ms: number) => BigInt(ms) * 1_000_000n;

/** A root and `children` LLM spans of one fresh OTel trace starting at `startMs`. */
export function llmTrace(
  startMs: number,
  children = 2,
  extra: Record<string, string | number> = {},
): Traces {
  const traceId = randomBytes(16).toString('hex');
  const rootId = randomBytes(8).toString('hex');
  const root = makeSpan({
    traceId,
    spanId: rootId,
    name: 'request',
    startTimeUnixNano: ns(startMs),
    endTimeUnixNano: ns(startMs + 100),
    attributes: attributesFrom({ 'input.value': 'hello', ...extra }),
  });
  const kids: Span[] = Array.from({ length: children }, (_, i) =>
    makeSpan({
      traceId,
      spanId: randomBytes(8).toString('hex'),
      parentSpanId: rootId,
      name: `chat ${i}`,
      startTimeUnixNano: ns(startMs + 10 + i),
      endTimeUnixNano: ns(startMs + 20 + i),
      attributes: attributesFrom({
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': 10 + i,
        'gen_ai.usage.output_tokens': 5,
      }),
    }),
  );
  return makeTraces([root, ...kids]);
}

/** A top-level span whose Opik ids a receiver set from an old timestamp (a Dify run replayed late). */
export function oldReceiverSpan(traceId: string, spanId: string): Traces {
  return makeTraces([
    makeSpan({
      traceId: randomBytes(16).toString('hex'),
      spanId: randomBytes(8).toString('hex'),
      name: 'workflow',
      startTimeUnixNano: ns(Date.parse('2026-06-12T08:30:01.123Z')),
      endTimeUnixNano: ns(Date.parse('2026-06-12T08:30:07.965Z')),
      attributes: attributesFrom({ 'opik.trace_id': traceId, 'opik.span_id': spanId }),
    }),
  ]);
}
