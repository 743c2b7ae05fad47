import { createHash } from 'node:crypto';
import { uuidBytes } from './opik-ids.js';

/**
 * OpenTelemetry ids for Dify entities, derived only from what the envelope says, so the same
 * entity gets the same id in every envelope and on every retry.
 */

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** A trace id from a Dify UUID (its 16 bytes); a non-UUID id is hashed instead. */
export function traceIdFor(difyId: string): string {
  const bytes = uuidBytes(difyId);
  const hex = bytes
    ? bytes.toString('hex')
    : sha256(`dify:${difyId}`).subarray(0, 16).toString('hex');
  return hex === '0'.repeat(32) ? sha256('dify:zero').subarray(0, 16).toString('hex') : hex;
}

/** A trace id for an entity that has no Dify UUID of its own: 16 bytes of SHA-256 of its seed. */
export function traceIdFromSeed(seed: string): string {
  return sha256(seed).subarray(0, 16).toString('hex');
}

/** A span id: the first 8 bytes of SHA-256 of a seed that names the entity (never all zero). */
export function spanIdFor(seed: string): string {
  const hex = sha256(seed).subarray(0, 8).toString('hex');
  return hex === '0'.repeat(16) ? sha256(`${seed}#`).subarray(0, 8).toString('hex') : hex;
}
