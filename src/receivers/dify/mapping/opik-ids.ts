import { createHash } from 'node:crypto';

/**
 * Opik's ids as Dify's built-in Opik integration computes them (reference/dify.md §3):
 * `uuid4_to_uuid7(dt, uuid)` keeps the low 74 bits of a Dify UUID under a 48-bit millisecond
 * timestamp; `_seed_to_uuid4(seed)` is MD5 with the version-4 bits. (Opik's own formula for OTel
 * ids belongs to the `opik` exporter, which is where it is applied.)
 */

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** The 16 bytes of a UUID written with or without dashes, or undefined. */
export function uuidBytes(text: string): Buffer | undefined {
  if (!UUID_RE.test(text)) return undefined;
  return Buffer.from(text.replaceAll('-', ''), 'hex');
}

/** Canonical lowercase 8-4-4-4-12 form of 16 bytes. */
export function formatUuid(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** 48-bit big-endian milliseconds in bytes 0–5, version 7, RFC 4122 variant; the rest kept. */
function stampV7(ms: number, bytes: Uint8Array): string {
  const out = Buffer.from(bytes.subarray(0, 16));
  out.writeUIntBE(ms, 0, 6);
  out[6] = 0x70 | (out[6]! & 0x0f);
  out[8] = 0x80 | (out[8]! & 0x3f);
  return formatUuid(out);
}

/** `_seed_to_uuid4(seed)`: MD5 of the UTF-8 seed with the version-4 and variant bits set. */
export function seedToUuid4(seed: string): Buffer {
  const b = createHash('md5').update(seed, 'utf8').digest();
  b[6] = 0x40 | (b[6]! & 0x0f);
  b[8] = 0x80 | (b[8]! & 0x3f);
  return b;
}

/**
 * `uuid4_to_uuid7(dt, id)` as Dify's Opik integration calls it. `id` is a UUID (Dify's own ids);
 * anything else goes through `seedToUuid4` first. Dify's version raises on a UUID that is not
 * version 4 and loses the trace; here every id gets one.
 */
export function difyUuid7(ms: number, id: string | Uint8Array): string {
  const bytes = typeof id === 'string' ? (uuidBytes(id) ?? seedToUuid4(id)) : id;
  return stampV7(ms, bytes);
}
