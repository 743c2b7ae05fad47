import type { TracesConsumer } from '../component/types.js';
import { spanCount } from '../pdata/count.js';
import type { Span, Traces } from '../pdata/traces.js';

/** A consumer that keeps every batch it is given; `fail` makes the next calls reject. */
export class TracesSink implements TracesConsumer {
  readonly batches: Traces[] = [];
  failWith?: unknown;

  async consume(traces: Traces): Promise<void> {
    if (this.failWith !== undefined) throw this.failWith;
    this.batches.push(traces);
  }

  get spanCount(): number {
    return this.batches.reduce((n, b) => n + spanCount(b), 0);
  }

  spans(): Span[] {
    return this.batches.flatMap((b) =>
      b.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)),
    );
  }

  reset(): void {
    this.batches.length = 0;
  }
}
