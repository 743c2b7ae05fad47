import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** `dify-opik-collector/<version> (<os>/<arch>)`, the form the Collector's exporters send. */
export function userAgent(): string {
  if (cached === undefined) {
    const pkg = JSON.parse(
      readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    cached = `dify-opik-collector/${pkg.version} (${process.platform}/${process.arch})`;
  }
  return cached;
}
