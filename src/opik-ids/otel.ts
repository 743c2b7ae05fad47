import { createHash } from 'node:crypto';
import { stampV7 } from './uuid.js';

/**
 * Opik's id for an OTel id (`OpenTelemetryMapper.convertOtelIdToUUIDv7`, reference/opik.md §2):
 * the 48-bit millisecond timestamp big-endian, then the first 10 bytes of SHA-256 of the id
 * bytes, with the version nibble set to 7 and the variant to 0b10. Unchanged from Opik 2.1 to
 * 2.2. The exporter computes the same ids Opik would, so that spans it sends and spans Opik
 * derives itself meet in one trace.
 */
export function opikIdFromOtel(idBytes: Uint8Array, timestampMs: number): string {
  const digest = createHash('sha256').update(idBytes).digest('hex');
  // The timestamp takes the first 6 bytes; the digest's first 10 bytes follow.
  return stampV7(timestampMs, `000000000000${digest.slice(0, 20)}`);
}

/** Bytes of a hex string (pdata ids are lowercase hex; '' gives no bytes). */
export function hexToBytes(hex: string): Uint8Array {
  return Buffer.from(hex, 'hex');
}
