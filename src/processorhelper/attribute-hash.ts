import { createHash } from 'node:crypto';
import type { AnyValue } from '../pdata/traces.js';

/**
 * The `hash` action's digest, as the Collector's attributes processor computes it since v0.75:
 * SHA-256 as lowercase hex of the value's bytes — a string's UTF-8, a bool as one byte 1/0, an
 * int or double as 8 little-endian bytes. Other value kinds hash nothing and become "".
 */
export function hashAttributeValue(value: AnyValue): string {
  let bytes: Buffer | undefined;
  if (typeof value === 'string') bytes = Buffer.from(value, 'utf8');
  else if (typeof value === 'boolean') bytes = Buffer.from([value ? 1 : 0]);
  else if (typeof value === 'bigint') {
    bytes = Buffer.alloc(8);
    bytes.writeBigUInt64LE(BigInt.asUintN(64, value));
  } else if (typeof value === 'number') {
    bytes = Buffer.alloc(8);
    bytes.writeDoubleLE(value);
  }
  return bytes === undefined ? '' : createHash('sha256').update(bytes).digest('hex');
}
