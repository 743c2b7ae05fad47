import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import type { MemoryLimiterConfig } from './config.js';

const MiB = 1024 * 1024;

export interface Limits {
  /** Refuse data at or above this RSS. */
  readonly softBytes: number;
  readonly hardBytes: number;
}

/**
 * The hard and soft limits in bytes, as the Collector computes them: `limit_mib` wins over
 * `limit_percentage` (of the cgroup's memory limit, or of the machine's memory outside a
 * container); the spike limit defaults to 20% of the limit; soft = hard − spike.
 */
export function limitsFor(
  c: MemoryLimiterConfig,
  available: () => number = availableMemory,
): Limits {
  if (c.limit_mib > 0) {
    const hard = c.limit_mib * MiB;
    const spike = (c.spike_limit_mib > 0 ? c.spike_limit_mib : c.limit_mib * 0.2) * MiB;
    return { hardBytes: hard, softBytes: hard - spike };
  }
  const total = available();
  const hard = (total * c.limit_percentage) / 100;
  const spikePct =
    c.spike_limit_percentage > 0 ? c.spike_limit_percentage : c.limit_percentage * 0.2;
  return { hardBytes: hard, softBytes: hard - (total * spikePct) / 100 };
}

/** The cgroup (v2, then v1) memory limit, else the machine's memory. */
export function availableMemory(): number {
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const text = readFileSync(file, 'utf8').trim();
      const n = Number(text);
      // "max", or v1's "no limit" sentinel near 2^63, mean unlimited.
      if (Number.isFinite(n) && n > 0 && n < totalmem() * 4) return n;
    } catch {
      // not in a cgroup with this file
    }
  }
  return totalmem();
}
