// Preloaded with `node --import ./bench/module-log.mjs` (Node 20.6+): records every module the
// process loads, so a benchmark can say which packages a configuration pulls in. ES modules are
// seen by a loader hook (bench/module-log-hooks.mjs, which runs in its own thread); CommonJS
// modules by `require.cache`. On SIGUSR2 the process appends the CommonJS list to the file named
// by MODULE_LOG and a line `done`. The hook thread costs memory of its own, so measure RSS in a
// process started without this.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const file = process.env.MODULE_LOG;
if (!file) throw new Error('set MODULE_LOG to the file to write');
register(new URL('./module-log-hooks.mjs', import.meta.url), { data: { file } });
const require = createRequire(import.meta.url);
process.on('SIGUSR2', () => {
  const cjs = Object.keys(require.cache).map((k) => `${k}\n`);
  appendFileSync(file, `${cjs.join('')}done\n`);
});
