import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_SHORT_MESSAGE, sha256Short } from './sha256.js';

describe('sha256Short', () => {
  it.each(Array.from({ length: MAX_SHORT_MESSAGE + 1 }, (_, n) => n))(
    'is SHA-256 for a message of %i bytes, at any offset',
    (n) => {
      for (const offset of [0, 3]) {
        const src = randomBytes(n + offset + 2);
        const out = new Uint8Array(34);
        sha256Short(src, offset, n, out, 1);
        const expected = createHash('sha256')
          .update(src.subarray(offset, offset + n))
          .digest();
        expect(Buffer.from(out.subarray(1, 33))).toEqual(expected);
      }
    },
  );

  it('writes only the bytes asked for, and refuses a message past one block', () => {
    const out = new Uint8Array(12).fill(0xee);
    sha256Short(Buffer.from('abc'), 0, 3, out, 1, 10);
    const digest = createHash('sha256').update('abc').digest();
    expect(Buffer.from(out.subarray(1, 11))).toEqual(digest.subarray(0, 10));
    expect([out[0], out[11]]).toEqual([0xee, 0xee]);
    expect(() => sha256Short(new Uint8Array(56), 0, 56, new Uint8Array(32), 0)).toThrow(RangeError);
  });
});
