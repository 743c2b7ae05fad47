import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks `Authorization: Bearer <token>` in constant time. Both sides are hashed first so the
 * comparison takes as long whatever the lengths, and nothing about the token leaks through timing.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer[ \t]+(.+)$/i.exec(header?.trim() ?? '');
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  // Compare even when the header is missing, so a missing header costs the same as a wrong one.
  const same = timingSafeEqual(digest(m?.[1]?.trim() ?? ''), digest(token));
  return m !== null && same;
}
