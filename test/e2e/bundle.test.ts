/**
 * The bundled CLI (`dist/cli/collector.js`, scripts/bundle.mjs) is what `npm start`, the image and
 * every other test of this folder run. These check what bundling alone could break: files read
 * next to the code, chunks loaded when first used, and code left outside the bundle.
 */

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI } from './cli.js';

const dist = new URL('../../dist/cli/', import.meta.url);
const run = (file: string, args: string[]) =>
  spawnSync(process.execPath, [file, ...args], { encoding: 'utf8' });

describe('the bundled CLI', () => {
  it('is the file the tests run', () => {
    expect(CLI).toBe(new URL('collector.js', dist).pathname);
  });

  it('reads its version from package.json', () => {
    const { version } = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    const r = run(CLI, ['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it('loads every component, each from its chunk, as the unbundled CLI does', () => {
    // `components` loads every factory: each is a chunk of the bundle imported when first used.
    const bundled = run(CLI, ['components']);
    const unbundled = run(new URL('main.js', dist).pathname, ['components']);
    expect(bundled.stderr).toBe('');
    expect(bundled.status).toBe(0);
    expect(bundled.stdout).toBe(unbundled.stdout);
    expect(bundled.stdout).toContain('name: opik');
  });

  it('imports none of tsc’s modules: only its chunks, Node’s built-ins and packages', () => {
    const files = readdirSync(dist).filter((f) => /^collector(-\w+)?\.js$/.test(f));
    expect(files.length).toBeGreaterThan(1);
    for (const f of files) {
      // esbuild writes its imports with double quotes (a JSDoc `import('…')` is not one).
      const text = readFileSync(new URL(f, dist), 'utf8');
      const relative = [...text.matchAll(/(?:\bfrom|\bimport\()\s*"(\.[^"]*)"/g)].map((m) => m[1]);
      for (const path of relative)
        expect(path, `${f} imports ${path}`).toMatch(/^\.\/collector-\w+\.js$/);
    }
  });
});
