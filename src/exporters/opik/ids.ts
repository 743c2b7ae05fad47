import { createHash, randomBytes } from 'node:crypto';

/**
 * Opik's ids. Opik derives a UUIDv7 from an OTel id and a millisecond timestamp: the 48-bit
 * timestamp big-endian, then the first 10 bytes of SHA-256 of the id bytes, with the version
 * nibble set to 7 and the variant to 0b10 (reference/opik.md §2; test vector in ids.test.ts).
 * The exporter computes the same ids Opik would, so that spans it sends and spans Opik derives
 * itself meet in one trace.
 */
export function opikIdFromOtel(idBytes: Uint8Array, timestampMs: number): string {
  const uuid = new Uint8Array(16);
  writeTimestamp(uuid, timestampMs);
  uuid.set(createHash('sha256').update(idBytes).digest().subarray(0, 10), 6);
  return formatUuid(setVersionAndVariant(uuid));
}

/** A fresh random UUIDv7 (for ids the exporter mints itself, such as its probe). */
export function newUuidV7(timestampMs: number = Date.now()): string {
  const uuid = new Uint8Array(16);
  writeTimestamp(uuid, timestampMs);
  uuid.set(randomBytes(10), 6);
  return formatUuid(setVersionAndVariant(uuid));
}

const UUID_V7_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** True for a UUID string of version 7 and the RFC 9562 variant (what Opik accepts as an id). */
export function isUuidV7(value: unknown): value is string {
  return typeof value === 'string' && UUID_V7_RE.test(value);
}

/** The millisecond timestamp in the top 48 bits of a UUIDv7. */
export function uuidV7Timestamp(uuid: string): number {
  return Number.parseInt(uuid.replaceAll('-', '').slice(0, 12), 16);
}

/** Bytes of a hex string (pdata ids are lowercase hex; '' gives no bytes). */
export function hexToBytes(hex: string): Uint8Array {
  return Buffer.from(hex, 'hex');
}

function writeTimestamp(uuid: Uint8Array, timestampMs: number): void {
  // 48 bits do not fit a 32-bit shift; split into the high 16 and low 32 bits.
  const ts = Math.max(0, Math.trunc(timestampMs));
  const high = Math.floor(ts / 2 ** 32) & 0xffff;
  const low = ts >>> 0;
  uuid[0] = high >>> 8;
  uuid[1] = high & 0xff;
  uuid[2] = low >>> 24;
  uuid[3] = (low >>> 16) & 0xff;
  uuid[4] = (low >>> 8) & 0xff;
  uuid[5] = low & 0xff;
}

function setVersionAndVariant(uuid: Uint8Array): Uint8Array {
  uuid[6] = (uuid[6]! & 0x0f) | 0x70;
  uuid[8] = (uuid[8]! & 0x3f) | 0x80;
  return uuid;
}

function formatUuid(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
