import { randomBytes } from 'node:crypto';

/**
 * UUID text as Opik reads and writes it: canonical lowercase 8-4-4-4-12, version 7 for every id
 * Opik accepts, the top 48 bits a millisecond timestamp.
 */

const UUID_V7_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** The hex digits of each group of a UUID's text form. */
const GROUPS = [8, 4, 4, 4, 12];

/**
 * The 32 lowercase hex digits of a UUID written with or without dashes (each of the four may be
 * left out), or undefined. Checked character by character: this runs for every Dify id.
 */
export function uuidHex(text: string): string | undefined {
  let at = 0;
  let upper = false;
  for (let g = 0; g < GROUPS.length; g++) {
    if (g > 0 && text.charCodeAt(at) === 0x2d) at++;
    for (const end = at + GROUPS[g]!; at < end; at++) {
      const c = text.charCodeAt(at);
      if (c >= 0x41 && c <= 0x46) upper = true;
      else if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return undefined;
    }
  }
  if (at !== text.length) return undefined;
  const hex = at === 32 ? text : text.replaceAll('-', '');
  return upper ? hex.toLowerCase() : hex;
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
 * replaced by the timestamp, then the version nibble becomes 7 and the variant 0b10; canonical text.
 */
export function stampV7(timestampMs: number, hex: string): string {
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const t = timestampHex(timestampMs);
  return `${t.slice(0, 8)}-${t.slice(8)}-7${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A fresh random UUIDv7 (for ids minted on the spot, such as a probe's). */
export function newUuidV7(timestampMs: number = Date.now()): string {
  return stampV7(timestampMs, randomBytes(16).toString('hex'));
}
