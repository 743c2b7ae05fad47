import { hexDigest } from './hash.js';

/**
 * Opik's ids as Dify's built-in Opik integration computes them (reference/dify.md §3):
 * `uuid4_to_uuid7(dt, uuid)` keeps the low 74 bits of a Dify UUID under a 48-bit millisecond
 * timestamp; `_seed_to_uuid4(seed)` is MD5 with the version-4 bits. (Opik's own formula for OTel
 * ids belongs to the `opik` exporter, which is where it is applied.) Ids are handled as hex text:
 * cheaper than buffers for the few dozen bytes of each span.
 */

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** The 32 lowercase hex digits of a UUID written with or without dashes, or undefined. */
export function uuidHex(text: string): string | undefined {
  if (!UUID_RE.test(text)) return undefined;
  return (text.length === 32 ? text : text.replaceAll('-', '')).toLowerCase();
}

/** Canonical 8-4-4-4-12 form of 32 hex digits. */
export function formatUuid(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Version nibble 7 and the RFC 4122 variant over `hex`, whose first 12 digits are replaced by `ms`. */
function stampV7(ms: number, hex: string): string {
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return formatUuid(
    `${ms.toString(16).padStart(12, '0')}7${hex.slice(13, 16)}${variant}${hex.slice(17, 32)}`,
  );
}

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
