import { request } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { TracesConsumer } from '../component/types.js';
import { makeSpan, makeTraces } from '../pdata/span.js';
import type { Traces } from '../pdata/traces.js';
import { SPAN_ID, TRACE_ID } from './otlp-fixtures.js';

let gc: (() => void) | undefined;

/** `process.memoryUsage()` after a full garbage collection (V8's gc(), enabled at run time). */
export async function memoryAfterGc(): Promise<NodeJS.MemoryUsage> {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
  // The memory of dead array buffers is given back by a task that runs after the collection.
  await new Promise((r) => setTimeout(r, 50));
  gc();
  return process.memoryUsage();
}

/**
 * A consumer that measures, while it holds each batch, how much more memory the process uses
 * than at `baseline()`: what a receiver still keeps alive while it waits for the pipeline.
 */
export class MemoryProbe implements TracesConsumer {
  readonly batches: Traces[] = [];
  /** Bytes beyond the baseline, measured during the last `consume`. */
  held = { arrayBuffers: Number.NaN, heapUsed: Number.NaN };
  private base: NodeJS.MemoryUsage | undefined;

  async baseline(): Promise<void> {
    this.base = await memoryAfterGc();
  }

  async consume(traces: Traces): Promise<void> {
    const base = this.base;
    if (!base) throw new Error('call baseline() before sending');
    this.batches.push(traces);
    const now = await memoryAfterGc();
    this.held = {
      arrayBuffers: now.arrayBuffers - base.arrayBuffers,
      heapUsed: now.heapUsed - base.heapUsed,
    };
  }
}

/**
 * POSTs `body` with node:http, which writes the caller's buffer as it is (fetch would hold copies
 * of its own in this process), and resolves with the status code.
 */
export function postBuffer(url: string, body: Buffer, contentType: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': contentType, 'content-length': body.length } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** One span whose one attribute is a string of `bytes` ASCII characters. */
export function oneBigSpan(bytes: number): Traces {
  return makeTraces([
    makeSpan({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      name: 'big',
      attributes: [{ key: 'input.value', value: 'x'.repeat(bytes) }],
    }),
  ]);
}
