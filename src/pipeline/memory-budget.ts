import { RetryableError } from '../errors/errors.js';

/**
 * The memory a request may take before it is read. `memory_limiter` refuses data that reaches
 * it while memory is above its soft limit, but by then the request has been read and decoded:
 * under overload, bodies in flight alone can take the process far past the limit. So the limit
 * is also a budget the receivers ask before they read a body: a request is admitted only if the
 * memory in use, plus what admitted requests still being read and decoded have reserved, plus
 * its own reservation stays under the soft limit; otherwise it is refused (503 / UNAVAILABLE
 * with Retry-After) before its body is read.
 *
 * One budget per process, as memory is: every `memory_limiter` registers its soft limit, and
 * the lowest applies. Without a `memory_limiter` nothing is refused.
 */

/**
 * Bytes reserved per byte of request body: the body itself, its decompressed and decoded forms
 * (JSON text, parsed values, pdata) while they coexist.
 */
export const DECODE_EXPANSION = 4;

/** Live memory: the V8 heap in use plus memory held outside it (request bodies, buffers). */
export function liveMemory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

export interface Reservation {
  /** Reserves `bytes` more (a body turned out larger, as it was decompressed); false if refused. */
  grow(bytes: number): boolean;
  /** Gives the reservation back; idempotent. */
  release(): void;
}

class MemoryBudget {
  private readonly limits = new Map<object, number>();
  private reserved = 0;

  /** Registers a soft limit in bytes; returns the function that removes it. */
  register(owner: object, softBytes: number): () => void {
    this.limits.set(owner, softBytes);
    return () => this.limits.delete(owner);
  }

  /** Bytes reserved by requests being read or decoded. */
  get inFlight(): number {
    return this.reserved;
  }

  /** Whether a request of `bodyBytes` would be admitted now (nothing is reserved). */
  hasRoom(bodyBytes: number, measure: () => number = liveMemory): boolean {
    if (this.limits.size === 0) return true;
    const soft = Math.min(...this.limits.values());
    return measure() + this.reserved + bodyBytes * DECODE_EXPANSION <= soft;
  }

  /** Reserves room for a request of `bodyBytes`, or undefined when it would pass the limit. */
  reserve(bodyBytes: number, measure: () => number = liveMemory): Reservation | undefined {
    let held = 0;
    const take = (bytes: number): boolean => {
      if (!this.hasRoom(bytes, measure)) return false;
      const want = bytes * DECODE_EXPANSION;
      this.reserved += want;
      held += want;
      return true;
    };
    if (!take(bodyBytes)) return undefined;
    let released = false;
    return {
      grow: (bytes) => !released && take(bytes),
      release: () => {
        if (released) return;
        released = true;
        this.reserved -= held;
      },
    };
  }
}

/** The process's budget (see the module comment). */
export const memoryBudget = new MemoryBudget();

/** The refusal of a request for which there is no memory: retryable, after a second. */
export function noMemoryError(): RetryableError {
  return new RetryableError(
    'ERR_PIPELINE_REFUSED',
    'data refused due to high memory usage (the request would pass the memory_limiter limit)',
    { retryAfterMs: 1000 },
  );
}
