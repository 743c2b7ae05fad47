import { z } from 'zod';
import { str } from '../../config/schema.js';
import type { ConfigIssue } from '../../errors/errors.js';

/** `bearertokenauth` settings, with the Collector's names and defaults. */
export const bearerTokenAuthConfigSchema = z.strictObject({
  /** The header that carries the credentials. */
  header: str().refine((h) => /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(h), {
    error: 'expected an HTTP header name',
  }),
  /** Written before the token, with one space (`Bearer <token>`); empty: the token alone. */
  scheme: str(),
  token: str().optional(),
  tokens: z.array(str()).optional(),
  /** A file with the token(s), one a line; read again whenever it changes. Wins over `token(s)`. */
  filename: str().optional(),
});

export type BearerTokenAuthConfig = z.infer<typeof bearerTokenAuthConfigSchema>;

export function createDefaultConfig(): Record<string, unknown> {
  return { header: 'Authorization', scheme: 'Bearer' };
}

export function validate(c: BearerTokenAuthConfig): ConfigIssue[] {
  const tokens = (c.tokens ?? []).filter((t) => t.trim() !== '');
  if (c.filename === undefined && (c.token ?? '').trim() === '' && tokens.length === 0) {
    return [{ path: 'token', message: 'set token, tokens or filename (no bearer token given)' }];
  }
  if (c.token !== undefined && c.tokens !== undefined) {
    return [{ path: 'tokens', message: 'set either token or tokens, not both' }];
  }
  return [];
}
