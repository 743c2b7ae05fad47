// node bench/_steady.mjs <label> [NODE_OPTIONS] : 10k spans/s open loop 15 s, CPU and RSS as the bench samples them
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectorReady, json, runJson, sample, sleep, start, stop } from './proc.mjs';
const root = new URL('..', import.meta.url).pathname;
const [label, nodeOptions = '--max-semi-space-size=4', dist = 'dist'] = process.argv.slice(2);
const sink = await start([join(root, 'bench/sink-server.mjs')], (l) => json(l)?.port);
const dir = mkdtempSync(join(tmpdir(), 'st-'));
writeFileSync(join(dir, 'c.yaml'), `receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:0\nprocessors:\n  batch:\n    send_batch_size: 1000\n    timeout: 200ms\nexporters:\n  opik:\n    endpoint: http://127.0.0.1:${sink.match}/api\n    detect_id_overrides: false\nservice:\n  telemetry:\n    logs:\n      level: info\n    metrics:\n      level: none\n  pipelines:\n    traces:\n      receivers: [otlp]\n      processors: [batch]\n      exporters: [opik]\n`);
const c = await start([join(root, dist, 'cli/main.js'), '--config', join(dir, 'c.yaml')], collectorReady(), { NODE_OPTIONS: nodeOptions });
await sleep(1000);
const r = await sample(c.child.pid, () => runJson([join(root, 'bench/load.mjs'), `http://${c.match}/v1/traces`, 'open', '100', process.env.SECS ?? '15', 'testbed']));
console.log(label.padEnd(12), 'cpu', r.cpuAvgPct.toFixed(1), 'rssAvg', r.rssAvgMiB.toFixed(0), 'rssMax', r.rssMaxMiB.toFixed(0), 'p50', r.result.p50ms.toFixed(0));
await stop(c.child); await stop(sink.child);
