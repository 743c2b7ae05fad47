import type { Traces } from '../../pdata/traces.js';
import type { QueueEntry, QueueStore, QueueTotals } from '../../storage/queue-store.js';

/** A queue in memory: fast, and gone with the process. */
export class MemoryQueueStore implements QueueStore {
  private readonly waiting: QueueEntry[] = [];
  private readonly taken = new Map<number, QueueEntry>();
  private seq = 0;
  private waitingCount = 0;
  readonly totals: QueueTotals = { requests: 0, items: 0, bytes: 0 };

  async put(
    requests: ReadonlyArray<{ traces: Traces; items: number; bytes: number }>,
  ): Promise<void> {
    for (const r of requests) {
      this.waiting.push({ seq: ++this.seq, ...r });
      this.waitingCount += r.items;
      this.count(r, 1);
    }
  }

  get waitingItems(): number {
    return this.waitingCount;
  }

  take(maxItems: number): QueueEntry[] {
    const out: QueueEntry[] = [];
    let items = 0;
    while (
      this.waiting.length > 0 &&
      (out.length === 0 || items + this.waiting[0]!.items <= maxItems)
    ) {
      const e = this.waiting.shift()!;
      items += e.items;
      this.waitingCount -= e.items;
      this.taken.set(e.seq, e);
      out.push(e);
    }
    return out;
  }

  remove(seqs: readonly number[]): void {
    for (const seq of seqs) {
      const e = this.taken.get(seq);
      if (!e) continue;
      this.taken.delete(seq);
      this.count(e, -1);
    }
  }

  release(seqs: readonly number[]): void {
    const back = seqs.flatMap((seq) => this.taken.get(seq) ?? []);
    for (const e of back) {
      this.taken.delete(e.seq);
      this.waitingCount += e.items;
    }
    this.waiting.unshift(...back.sort((a, b) => a.seq - b.seq));
  }

  dropOldest(): QueueEntry | undefined {
    const e = this.waiting.shift();
    if (e) {
      this.waitingCount -= e.items;
      this.count(e, -1);
    }
    return e;
  }

  close(): void {}

  private count(e: { items: number; bytes: number }, sign: 1 | -1): void {
    this.totals.requests += sign;
    this.totals.items += sign * e.items;
    this.totals.bytes += sign * e.bytes;
  }
}
