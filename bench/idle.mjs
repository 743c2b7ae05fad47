// `node bench/idle.mjs [config] [node flags...]`: the RSS of one collector that is sent nothing,
// 5 s after it started and then every 15 s for a minute (V8 gives back what starting up left over
// only after some idle time), and the packages it loaded (in a second start, bench/module-log.mjs).
// The shipped collector.yaml by default, run as bench/run.mjs runs it (free ports, a temporary
// data directory). Prints one JSON line. Needs a build.
import { join } from 'node:path';
import { collectorReady, loadedPackages, rssMiB, shippedEnv, sleep, start, stop } from './proc.mjs';

const root = new URL('..', import.meta.url).pathname;
const [config = join(root, 'collector.yaml'), ...nodeArgs] = process.argv.slice(2);
const args = [join(root, 'dist/cli/collector.js'), '--config', config];
const env = () => shippedEnv('http://127.0.0.1:9/api');
const { child } = await start(args, collectorReady(), env(), nodeArgs);
const rss = {};
for (const s of [5, 15, 30, 45, 60]) {
  await sleep(s === 5 ? 5000 : s === 15 ? 10_000 : 15_000);
  rss[`${s}s`] = Number(rssMiB(child.pid).toFixed(1));
}
await stop(child);
const { modules, packages } = await loadedPackages(args, collectorReady(), env());
console.log(JSON.stringify({ config, nodeArgs, rssMiB: rss, modules, packages }));
