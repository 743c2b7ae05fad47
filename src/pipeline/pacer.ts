import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * How long a piece of work may hold the event loop before it lets other work run. Receivers
 * decode large requests and processors scan long values in steps; between steps a `Pacer` hands
 * the loop back whenever this much time has passed, so health checks, other requests and the
 * exporter keep moving while a 20 MiB request is decoded.
 */
export const SLICE_MS = 5;

/** Cooperative time-slicing for long synchronous work split into steps. */
export class Pacer {
  private sliceStart = performance.now();

  /** True once the current slice has used its time. */
  due(): boolean {
    return performance.now() - this.sliceStart >= SLICE_MS;
  }

  /** Lets the event loop run (timers, I/O), then starts a new slice. */
  async pause(): Promise<void> {
    await nextTurn();
    this.sliceStart = performance.now();
  }

  /** `pause()` when the slice is used up; cheap otherwise. Call it between steps. */
  async step(): Promise<void> {
    if (this.due()) await this.pause();
  }
}

/**
 * Runs a generator that yields between steps of its work, pausing whenever a slice is used up,
 * and resolves with what it returns.
 */
export async function paced<T>(
  steps: Generator<unknown, T, undefined>,
  pacer = new Pacer(),
): Promise<T> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (pacer.due()) await pacer.pause();
  }
}

/** Runs a stepped generator to the end at once (for callers with small inputs). */
export function unpaced<T>(steps: Generator<unknown, T, undefined>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}
