import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hexToBytes, opikIdFromOtel, writeUuidText } from './otel.js';
import { isUuidV7, newUuidV7, stampV7, uuidV7Timestamp } from './uuid.js';

const TS = 1767225600123;

describe('Opik ids', () => {
  it.each([
    ['trace id', '5b8efff798038103d269b633813fc60c', '019b76da-a87b-7c4b-aaa2-e4ea076c6c6d'],
    ['span id', 'eee19b7ec3c1b174', '019b76da-a87b-7284-b6af-5fa6ee032c97'],
  ])('derives the %s of the reference test vector', (_what, hex, expected) => {
    expect(opikIdFromOtel(hexToBytes(hex), TS)).toBe(expected);
  });

  it('matches the vector for ids read as base64 by the OTLP/JSON path (24 bytes)', () => {
    const bytes = Buffer.from('5b8efff798038103d269b633813fc60c', 'base64');
    expect(bytes).toHaveLength(24);
    expect(opikIdFromOtel(bytes, TS)).toBe('019b76da-a87b-7c9d-8b61-067208f62a8c');
  });

  it('reads the timestamp back out of a UUIDv7', () => {
    expect(uuidV7Timestamp('019b76da-a87b-7c4b-aaa2-e4ea076c6c6d')).toBe(TS);
  });

  it('mints valid v7 ids carrying the given time', () => {
    const id = newUuidV7(TS);
    expect(isUuidV7(id)).toBe(true);
    expect(uuidV7Timestamp(id)).toBe(TS);
  });

  it.each([
    ['019b76da-a87b-7c4b-aaa2-e4ea076c6c6d', true],
    ['019B76DA-A87B-7C4B-AAA2-E4EA076C6C6D', true],
    ['9b2b2e4c-1d2a-4c7e-9a3b-0c1d2e3f4a5b', false],
    ['019b76da-a87b-7c4b-caa2-e4ea076c6c6d', false],
    ['019b76daa87b7c4baaa2e4ea076c6c6d', false],
    [42, false],
  ])('recognises %s as UUIDv7: %s', (value, expected) => {
    expect(isUuidV7(value)).toBe(expected);
  });
});

describe('opikIdFromOtel without strings', () => {
  /** Opik's formula as the string code wrote it before: the reference the byte code must meet. */
  const byText = (id: Uint8Array, ms: number) =>
    stampV7(ms, `000000000000${createHash('sha256').update(id).digest('hex').slice(0, 20)}`);

  it.each([
    0,
    1,
    -5,
    1767225600123,
    2 ** 32 - 1,
    2 ** 32,
    2 ** 48 - 1,
    2 ** 48 + 7,
    1767225600123.9,
  ])('gives the id the text formula gives at %d ms', (ms) => {
    for (const size of [8, 16, 24, 64]) {
      const id = randomBytes(size);
      expect(opikIdFromOtel(id, ms)).toBe(byText(id, ms));
    }
  });

  it('writes UUID text', () => {
    const bytes = Buffer.from('019b76daa87b7c4baaa2e4ea076c6c6d', 'hex');
    const out = Buffer.alloc(38, 0x20);
    writeUuidText(out, 1, bytes, 0);
    expect(out.toString('latin1')).toBe(' 019b76da-a87b-7c4b-aaa2-e4ea076c6c6d ');
  });
});
