import { hexDigest } from './hash.js';
import { uuidHex } from './opik-ids.js';

/**
 * OpenTelemetry ids for Dify entities, derived only from what the envelope says, so the same
 * entity gets the same id in every envelope and on every retry.
 */

const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** A trace id from a Dify UUID (its 16 bytes); a non-UUID id is hashed instead. */
export function traceIdFor(difyId: string): string {
  const hex = uuidHex(difyId) ?? hexDigest('sha256', `dify:${difyId}`).slice(0, 32);
  return hex === ZERO_TRACE ? hexDigest('sha256', 'dify:zero').slice(0, 32) : hex;
}

/** A trace id for an entity that has no Dify UUID of its own: 16 bytes of SHA-256 of its seed. */
export function traceIdFromSeed(seed: string): string {
  return hexDigest('sha256', seed).slice(0, 32);
}

/** A span id: the first 8 bytes of SHA-256 of a seed that names the entity (never all zero). */
export function spanIdFor(seed: string): string {
  const hex = hexDigest('sha256', seed).slice(0, 16);
  return hex === ZERO_SPAN ? hexDigest('sha256', `${seed}#`).slice(0, 16) : hex;
}
