import { randomBytes } from 'node:crypto';

/**
 * UUID text as Opik reads and writes it: canonical lowercase 8-4-4-4-12, version 7 for every id
 * Opik accepts, the top 48 bits a millisecond timestamp.
 */

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID_V7_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** The 32 lowercase hex digits of a UUID written with or without dashes, or undefined. */
export function uuidHex(text: string): string | undefined {
  if (!UUID_RE.test(text)) return undefined;
  return (text.length === 32 ? text : text.replaceAll('-', '')).toLowerCase();
}

/** Canonical 8-4-4-4-12 form of 32 hex digits. */
export function formatUuid(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** True for a UUID string of version 7 and the RFC 9562 variant (what Opik accepts as an id). */
export function isUuidV7(value: unknown): value is string {
  return typeof value === 'string' && UUID_V7_RE.test(value);
}

/** The millisecond timestamp in the top 48 bits of a UUIDv7. */
export function uuidV7Timestamp(uuid: string): number {
  return Number.parseInt(uuid.replaceAll('-', '').slice(0, 12), 16);
}

/** The 12 hex digits of a 48-bit millisecond timestamp (negative times count as 0). */
function timestampHex(ms: number): string {
  return Math.max(0, Math.trunc(ms)).toString(16).padStart(12, '0').slice(-12);
}

/**
 * A UUIDv7 of `timestampMs` over the low bits of `hex` (32 hex digits): the first 12 digits are
 * replaced by the timestamp, then the version nibble becomes 7 and the variant 0b10.
 */
export function stampV7(timestampMs: number, hex: string): string {
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return formatUuid(
    `${timestampHex(timestampMs)}7${hex.slice(13, 16)}${variant}${hex.slice(17, 32)}`,
  );
}

/** A fresh random UUIDv7 (for ids minted on the spot, such as a probe's). */
export function newUuidV7(timestampMs: number = Date.now()): string {
  return stampV7(timestampMs, randomBytes(16).toString('hex'));
}
