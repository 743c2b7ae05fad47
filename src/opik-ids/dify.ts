import { hexDigest } from './hash.js';
import { stampV7, uuidHex } from './uuid.js';

/**
 * Dify's ids. Opik ids as Dify's built-in Opik integration computes them (reference/dify.md §3):
 * `uuid4_to_uuid7(dt, uuid)` keeps the low 74 bits of a Dify UUID under a 48-bit millisecond
 * timestamp; `_seed_to_uuid4(seed)` is MD5 with the version-4 bits. And the OTel ids the `dify`
 * receiver (and the `genai` processor, for Dify's Phoenix spans) give Dify entities, derived only
 * from what an envelope says, so the same entity gets the same id in every envelope and on every
 * retry. Ids are handled as hex text: cheaper than buffers for the few dozen bytes of each span.
 */

/** `_seed_to_uuid4(seed)`: MD5 of the UTF-8 seed with the version-4 and variant bits set, as hex. */
export function seedToUuid4(seed: string): string {
  const md5 = hexDigest('md5', seed);
  const variant = ((Number.parseInt(md5[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${md5.slice(0, 12)}4${md5.slice(13, 16)}${variant}${md5.slice(17)}`;
}

/**
 * `uuid4_to_uuid7(dt, id)` as Dify's Opik integration calls it. `id` is a UUID (Dify's own ids);
 * anything else goes through `seedToUuid4` first. Dify's version raises on a UUID that is not
 * version 4 and loses the trace; here every id gets one.
 */
export function difyUuid7(ms: number, id: string): string {
  return stampV7(ms, uuidHex(id) ?? seedToUuid4(id));
}

const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** An OTel trace id from a Dify UUID (its 16 bytes); a non-UUID id is hashed instead. */
export function traceIdFor(difyId: string): string {
  const hex = uuidHex(difyId) ?? hexDigest('sha256', `dify:${difyId}`).slice(0, 32);
  return hex === ZERO_TRACE ? hexDigest('sha256', 'dify:zero').slice(0, 32) : hex;
}

/** An OTel trace id for an entity without a Dify UUID of its own: 16 bytes of SHA-256 of a seed. */
export function traceIdFromSeed(seed: string): string {
  return hexDigest('sha256', seed).slice(0, 32);
}

/** An OTel span id: the first 8 bytes of SHA-256 of a seed naming the entity (never all zero). */
export function spanIdFor(seed: string): string {
  const hex = hexDigest('sha256', seed).slice(0, 16);
  return hex === ZERO_SPAN ? hexDigest('sha256', `${seed}#`).slice(0, 16) : hex;
}
