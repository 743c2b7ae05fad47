/**
 * SHA-256 (FIPS 180-4) of a message of at most 55 bytes: one block, no allocation. Opik's ids
 * hash OTel ids of 8 and 16 bytes, one per span; for inputs this small a call into Node's crypto
 * costs several times the hashing itself (a `createHash` object per call, or `crypto.hash`, which
 * Node 20.6 lacks).
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const H0 = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);
const W = new Int32Array(64);

/** Largest message `sha256Short` takes: one block less the padding. */
export const MAX_SHORT_MESSAGE = 55;

/**
 * Writes the first `outLength` bytes (at most 32) of SHA-256 of `src[start, start + length)`
 * (`length` ≤ 55) to `out[at]`.
 */
export function sha256Short(
  src: Uint8Array,
  start: number,
  length: number,
  out: Uint8Array,
  at: number,
  outLength = 32,
): void {
  if (length > MAX_SHORT_MESSAGE) throw new RangeError(`sha256Short: ${length} > 55 bytes`);
  W.fill(0, 0, 16);
  for (let i = 0; i < length; i++) W[i >> 2]! |= src[start + i]! << (24 - 8 * (i & 3));
  W[length >> 2]! |= 0x80 << (24 - 8 * (length & 3));
  W[15] = length * 8;
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15]!;
    const w2 = W[i - 2]!;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = H0[0]!;
  let b = H0[1]!;
  let c = H0[2]!;
  let d = H0[3]!;
  let e = H0[4]!;
  let f = H0[5]!;
  let g = H0[6]!;
  let h = H0[7]!;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  const n = Math.min(32, outLength);
  for (let i = 0; i < n; i++) {
    const word = i >> 2;
    const v =
      word === 0
        ? a + H0[0]!
        : word === 1
          ? b + H0[1]!
          : word === 2
            ? c + H0[2]!
            : word === 3
              ? d + H0[3]!
              : word === 4
                ? e + H0[4]!
                : word === 5
                  ? f + H0[5]!
                  : word === 6
                    ? g + H0[6]!
                    : h + H0[7]!;
    out[at + i] = v >>> (24 - 8 * (i & 3));
  }
}
