import { createHash, timingSafeEqual } from 'node:crypto';
import { type OpikReply, opikError } from './replies.js';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * Checks `Authorization` as Opik does in cloud mode (reference/opik-api-contracts.md §1): the raw
 * key, no `Bearer`. With no keys configured every caller is accepted, as a self-hosted Opik
 * accepts any. Keys are compared by digest, in constant time whatever their length.
 */
export function apiKeyCheck(
  keys: readonly string[],
): (header: string | undefined) => OpikReply | undefined {
  const allowed = keys.map(digest);
  return (header) => {
    if (allowed.length === 0) return undefined;
    const key = header?.trim() ?? '';
    if (key === '') return opikError(401, 'API key should be provided');
    const d = digest(key);
    let match = false;
    for (const a of allowed) match = timingSafeEqual(a, d) || match;
    return match ? undefined : opikError(401, 'User not allowed to access workspace!');
  };
}
