import type { SamplerConfig } from './config.js';

/** A keep-or-drop decision from the trace id alone, so a trace is kept or dropped whole. */
export type TraceDecision = (traceId: string) => boolean;

const BUCKETS = 0x4000; // the Collector's hash_seed mode: 14 bits of the hash

/**
 * `proportional` (the Collector's default mode, from OTel's consistent-probability sampling):
 * the last 56 bits of the trace id are its randomness; a trace is kept when they reach the
 * rejection threshold (1 − p) × 2^56, so every collector keeps the same traces at the same rate,
 * whatever its seed. `hash_seed`: FNV-1a of the seed and the trace id, 14-bit buckets, as the
 * Collector's hash_seed mode does; only collectors with the same seed agree.
 */
export function traceDecision(config: SamplerConfig): TraceDecision {
  const p = config.sampling_percentage / 100;
  if (p >= 1) return () => true;
  if (p <= 0) return () => false;
  if (config.mode === 'proportional') {
    const threshold = BigInt(Math.round((1 - p) * 2 ** 56));
    return (traceId) => BigInt(`0x${traceId.slice(-14) || '0'}`) >= threshold;
  }
  const scaled = Math.floor(p * BUCKETS);
  const seed = Buffer.alloc(4);
  seed.writeUInt32LE(config.hash_seed);
  return (traceId) => (fnv1a32(seed, Buffer.from(traceId, 'hex')) & (BUCKETS - 1)) < scaled;
}

function fnv1a32(...parts: Buffer[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    for (const byte of part) {
      h ^= byte;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return h >>> 0;
}
