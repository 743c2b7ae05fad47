import { createHash } from 'node:crypto';

/**
 * Opik's `convertOtelIdToUUIDv7`, written again for the fake (not imported from the exporter)
 * from the formula in reference/opik-api-contracts.md §4, with BigInt arithmetic.
 */
export function convertOtelId(idBytes: Uint8Array, timestampMs: bigint): string {
  const hash = createHash('sha256').update(idBytes).digest();
  const bytes = Buffer.alloc(16);
  bytes.writeBigUInt64BE((timestampMs & 0xffffffffffffn) << 16n, 0);
  hash.copy(bytes, 6, 0, 10);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const h = bytes.toString('hex');
  return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join('-');
}

/** The top 48 bits of a UUID as milliseconds. */
export function timestampOf(uuid: string): bigint {
  return BigInt(`0x${uuid.replaceAll('-', '').slice(0, 12)}`);
}

/** What Opik's `IdGenerator.validateId` accepts: a UUID string whose version nibble is 7. */
export function isV7(uuid: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(uuid);
}

export function isUuid(text: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);
}
