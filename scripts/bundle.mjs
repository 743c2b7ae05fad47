// Bundles the built CLI (`dist/cli/main.js`, from tsc) and the packages it imports into
// `dist/cli/collector.js`, the file `npm start`, the image and `npx dify-opik-collector` run
// (`npm run build` runs this after tsc). One file instead of some 350 modules: about 2.5 MiB less
// RSS at idle (docs/benchmarks.md). What is imported only when used (a component's factory, a
// CLI command) stays a chunk of its own, `dist/cli/collector-*.js`, loaded when first needed.
//
// Left out, and loaded from node_modules as before: better-sqlite3 (a native module) and what the
// code loads through `createRequire` (prom-client's classes, `node:https`), which a bundler does
// not follow. The bundle sits in `dist/cli/`, two directories below the package as tsc's
// `dist/service/version.js` is, so that the `package.json` it reads relative to itself is found
// from either. Not minified: stack traces and logs keep their names and lines.
import { readdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const outdir = new URL('../dist/cli/', import.meta.url).pathname;
for (const name of readdirSync(outdir)) {
  if (/^collector(-[\w-]+)?\.js$/.test(name)) rmSync(outdir + name);
}

await build({
  entryPoints: { collector: new URL('../dist/cli/main.js', import.meta.url).pathname },
  outdir,
  chunkNames: 'collector-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.6',
  external: ['better-sqlite3'],
  // CommonJS packages inside an ES module call `require`; give them Node's.
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
