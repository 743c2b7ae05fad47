import { spanCount } from '../../pdata/count.js';
import { mergeTraces, splitTraces } from '../../pdata/split.js';
import type { Traces } from '../../pdata/traces.js';

/** One `consume` call waiting for every batch that carries some of its spans. */
interface Waiter {
  /** The downstream sends of the batches that carry its spans so far. */
  readonly sends: Promise<void>[];
  /** How many buffered pieces still hold some of its spans. */
  open: number;
  settle(result: Promise<void>): void;
}

/** Buffered spans: a caller's whole input, or the unsent tail of an earlier cut. */
interface Piece {
  readonly traces: Traces;
  readonly spans: number;
  readonly owners: readonly Waiter[];
}

/** Hands one batch downstream; the promise is the downstream `consume`. */
export type Send = (batch: Traces, spans: number) => Promise<void>;

const noop = () => {};

/**
 * The spans a batch processor holds, and who is waiting for them. `add` returns a promise that
 * settles when the downstream sends of all batches carrying the caller's spans have settled:
 * it resolves if they all succeeded and rejects with the first failure otherwise. That is how
 * backpressure and export errors reach the receiver, where the Collector's batch processor
 * answers at once and loses buffered data on a crash.
 */
export class PendingBuffer {
  private pieces: Piece[] = [];
  private total = 0;

  /** Spans held and not yet sent. */
  get spans(): number {
    return this.total;
  }

  /** Buffers a caller's batch (`spans` > 0); the promise settles as described above. */
  add(traces: Traces, spans: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const waiter: Waiter = { sends: [], open: 1, settle: resolve };
      this.pieces.push({ traces, spans, owners: [waiter] });
      this.total += spans;
    });
  }

  /**
   * Sends everything held, in order, in batches of at most `max` spans (0: one batch). A last
   * batch smaller than `keepBelow` stays buffered (0: nothing stays). Returns the batches sent.
   */
  cut(max: number, keepBelow: number, send: Send): number {
    if (this.total === 0) return 0;
    const old = this.pieces;
    const chunks = splitTraces(mergeTraces(old.map((p) => p.traces)), max)
      .map((traces) => ({ traces, spans: spanCount(traces) }))
      .filter((c) => c.spans > 0);
    const last = chunks[chunks.length - 1];
    const kept = last && last.spans < keepBelow ? chunks.pop() : undefined;

    // Spans keep their order through merge and split, so a chunk's owners are the pieces whose
    // span ranges overlap the chunk's range.
    const owners = ownersByRange(old, chunks.map((c) => c.spans).concat(kept ? [kept.spans] : []));
    chunks.forEach((chunk, i) => {
      const sent = send(chunk.traces, chunk.spans);
      sent.catch(noop); // handled by each owner's Promise.all; this keeps Node from warning early
      for (const w of owners[i]!) w.sends.push(sent);
    });

    this.pieces = [];
    this.total = 0;
    if (kept) {
      const keptOwners = owners[chunks.length]!;
      for (const w of keptOwners) w.open += 1;
      this.pieces.push({ traces: kept.traces, spans: kept.spans, owners: keptOwners });
      this.total = kept.spans;
    }
    for (const piece of old) {
      for (const w of piece.owners) {
        w.open -= 1;
        if (w.open === 0) w.settle(Promise.all(w.sends).then(noop));
      }
    }
    return chunks.length;
  }
}

/** For consecutive span ranges of the given sizes, the owners of the pieces overlapping each. */
function ownersByRange(pieces: readonly Piece[], sizes: readonly number[]): Waiter[][] {
  const out: Waiter[][] = [];
  let first = 0; // the first piece that may overlap the current range
  let firstStart = 0; // where that piece starts
  let start = 0;
  for (const size of sizes) {
    const end = start + size;
    while (first < pieces.length && firstStart + pieces[first]!.spans <= start) {
      firstStart += pieces[first]!.spans;
      first += 1;
    }
    const owners = new Set<Waiter>();
    for (let k = first, at = firstStart; k < pieces.length && at < end; k++) {
      for (const w of pieces[k]!.owners) owners.add(w);
      at += pieces[k]!.spans;
    }
    out.push([...owners]);
    start = end;
  }
  return out;
}
