import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, type StatWatcher, unwatchFile, watchFile } from 'node:fs';
import {
  type ClientAuthenticator,
  type RequestHeaders,
  type ServerAuthenticator,
  unauthenticated,
} from '../../component/auth.js';
import type { Component, Settings } from '../../component/types.js';
import { rememberSecret } from '../../config/secret.js';
import type { BearerTokenAuthConfig } from './config.js';

/** How often the token file is checked for changes. */
export const TOKEN_FILE_POLL_MS = 500;

export type BearerTokenAuth = Component & ServerAuthenticator & ClientAuthenticator;

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * `bearertokenauth`: a static token (or several, or a file of them) that incoming requests must
 * carry in `header` as `<scheme> <token>`, and that exporters send. Compared in constant time
 * (both sides hashed first, every token compared), and never repeated in an answer or a log.
 */
export function createBearerTokenAuth(
  settings: Settings,
  config: BearerTokenAuthConfig,
): BearerTokenAuth {
  const header = config.header.toLowerCase();
  const scheme = config.scheme.trim();
  let tokens: string[] = [];
  let digests: Buffer[] = [];
  let watcher: StatWatcher | undefined;
  let firstPoll: NodeJS.Timeout | undefined;
  const file = config.filename;

  const setTokens = (list: readonly string[]) => {
    tokens = list.map((t) => t.trim()).filter((t) => t !== '');
    for (const t of tokens) rememberSecret(t);
    digests = tokens.map(digest);
  };
  /** The token file's text as last read (a poll that finds the same text changes nothing). */
  let lastText: string | undefined;
  const readFile = (path: string) => {
    lastText = readFileSync(path, 'utf8');
    return lastText.split('\n');
  };

  if (file === undefined) setTokens(config.tokens ?? (config.token ? [config.token] : []));
  else if (config.token !== undefined || config.tokens !== undefined) {
    settings.logger.warn('filename is set: the token(s) written in the config are ignored');
  }

  return {
    async start() {
      if (file === undefined || watcher) return;
      try {
        setTokens(readFile(file));
      } catch (err) {
        throw new Error(`cannot read the token file ${file}: ${(err as Error).message}`);
      }
      if (tokens.length === 0) settings.logger.warn({ file }, 'the token file holds no token');
      const readAgain = () => {
        try {
          const before = lastText;
          const lines = readFile(file);
          if (lastText === before) return;
          setTokens(lines);
          settings.logger.info({ file, tokens: tokens.length }, 'token file read again');
        } catch (err) {
          // Keep the tokens we had: a file being replaced may be missing for a moment.
          settings.logger.warn(
            { file, error: (err as Error).message },
            'cannot read the token file; keeping the previous token(s)',
          );
        }
      };
      watcher = watchFile(file, { interval: TOKEN_FILE_POLL_MS, persistent: false }, readAgain);
      // The watcher compares with its own first look at the file, taken a moment after this read:
      // a change in between is caught by reading once more after the first poll.
      firstPoll = setTimeout(readAgain, TOKEN_FILE_POLL_MS);
      firstPoll.unref();
    },

    async shutdown() {
      if (file !== undefined && watcher) unwatchFile(file);
      watcher = undefined;
      clearTimeout(firstPoll);
    },

    authenticate(headers: RequestHeaders) {
      const raw = headers[header];
      const value = (Array.isArray(raw) ? raw[0] : raw)?.trim() ?? '';
      if (value === '') throw unauthenticated(`missing or empty ${config.header} header`);
      let presented = value;
      if (scheme !== '') {
        const m = /^(\S+)\s+(.+)$/.exec(value);
        if (!m || m[1]!.toLowerCase() !== scheme.toLowerCase()) {
          throw unauthenticated(`the ${config.header} header must be "${scheme} <token>"`);
        }
        presented = m[2]!.trim();
      }
      const given = digest(presented);
      let ok = false;
      // Every token is compared, so the time taken says nothing about which one (if any) matched.
      for (const d of digests) ok = timingSafeEqual(given, d) || ok;
      if (!ok) throw unauthenticated('the bearer token is not valid');
    },

    authHeaders() {
      const token = tokens[0] ?? '';
      return { [header]: scheme === '' ? token : `${scheme} ${token}` };
    },
  };
}
