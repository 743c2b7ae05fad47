import { createHash } from 'node:crypto';
import { MAX_SHORT_MESSAGE, sha256Short } from './sha256.js';
import { formatUuid } from './uuid.js';

/**
 * Opik's id for an OTel id (`OpenTelemetryMapper.convertOtelIdToUUIDv7`, reference/opik.md §2):
 * the 48-bit millisecond timestamp big-endian, then the first 10 bytes of SHA-256 of the id
 * bytes, with the version nibble set to 7 and the variant to 0b10. Unchanged from Opik 2.1 to
 * 2.2. The exporter computes the same ids Opik would, so that spans it sends and spans Opik
 * derives itself meet in one trace.
 */
export function opikIdFromOtel(idBytes: Uint8Array, timestampMs: number): string {
  const uuid = new Uint8Array(16);
  writeOpikIdFromOtel(uuid, 0, idBytes, 0, idBytes.length, timestampMs);
  return formatUuid(Buffer.from(uuid.buffer, uuid.byteOffset, 16).toString('hex'));
}

const digest = new Uint8Array(32);

/**
 * `opikIdFromOtel` as 16 bytes written to `out[at]`, for the OTel id at `src[start, start + length)`:
 * the same id without a string (the `opik` exporter derives one per span).
 */
export function writeOpikIdFromOtel(
  out: Uint8Array,
  at: number,
  src: Uint8Array,
  start: number,
  length: number,
  timestampMs: number,
): void {
  if (length <= MAX_SHORT_MESSAGE) sha256Short(src, start, length, digest, 0, 10);
  else
    digest.set(
      createHash('sha256')
        .update(src.subarray(start, start + length))
        .digest(),
    );
  // Negative times count as 0; beyond 48 bits only the low 48 are kept (as Opik's formula does).
  const ms = Math.max(0, Math.trunc(timestampMs));
  const high = Math.floor(ms / 0x1_0000_0000) & 0xffff;
  const low = ms >>> 0;
  out[at] = high >>> 8;
  out[at + 1] = high;
  out[at + 2] = low >>> 24;
  out[at + 3] = low >>> 16;
  out[at + 4] = low >>> 8;
  out[at + 5] = low;
  // The digest's first nibble gives way to the version (7); its fifth carries the variant (0b10).
  out[at + 6] = 0x70 | (digest[0]! & 0x0f);
  out[at + 7] = digest[1]!;
  out[at + 8] = 0x80 | (digest[2]! & 0x3f);
  for (let i = 3; i < 10; i++) out[at + 6 + i] = digest[i]!;
}

const HEX = new TextEncoder().encode('0123456789abcdef');

/** Writes the 36 characters (ASCII) of the UUID `src[start, start + 16)` to `out[at]`, 8-4-4-4-12. */
export function writeUuidText(out: Uint8Array, at: number, src: Uint8Array, start: number): void {
  let o = at;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out[o++] = 0x2d;
    const b = src[start + i]!;
    out[o++] = HEX[b >>> 4]!;
    out[o++] = HEX[b & 15]!;
  }
}

/** Bytes of a hex string (pdata ids are lowercase hex; '' gives no bytes). */
export function hexToBytes(hex: string): Uint8Array {
  return Buffer.from(hex, 'hex');
}
