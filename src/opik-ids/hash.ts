import * as crypto from 'node:crypto';

/**
 * Hex digests of UTF-8 text. `crypto.hash` (Node 20.12+) is several times cheaper than a
 * `createHash` object per id, and ids are hashed for every span; older Node 20 falls back.
 */
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash;

export function hexDigest(algorithm: 'sha256' | 'md5', text: string): string {
  return oneShot
    ? oneShot(algorithm, text, 'hex')
    : crypto.createHash(algorithm).update(text, 'utf8').digest('hex');
}
