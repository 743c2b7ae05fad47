import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * The collector's version, from its package.json. Read relative to this module two directories
 * down from the package (`dist/service/`), which is also where the bundled CLI's files sit
 * (`dist/cli/`, scripts/bundle.mjs): keep both at that depth.
 */
export function collectorVersion(): string {
  cached ??= (
    JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    }
  ).version;
  return cached;
}
