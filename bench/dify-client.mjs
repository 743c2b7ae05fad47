// Load generator for dify.mjs: POSTs the given bodies as fast as the receiver answers.
import { parentPort, workerData } from 'node:worker_threads';
import { Agent, request } from 'undici';

const { url, bodies, seconds, concurrency } = workerData;
const dispatcher = new Agent({ connections: concurrency, pipelining: 1 });
const warmUntil = Date.now() + 500;
const until = warmUntil + seconds * 1000;
let requests = 0;
let failures = 0;
let started = 0;

async function loop(k) {
  for (let i = k; Date.now() < until; i += concurrency) {
    const res = await request(url, {
      method: 'POST',
      body: Buffer.from(bodies[i % bodies.length]),
      headers: { 'content-type': 'application/json' },
      dispatcher,
    });
    await res.body.dump();
    if (Date.now() < warmUntil) continue;
    if (!started) started = performance.now();
    if (res.statusCode === 200) requests++;
    else failures++;
  }
}
await Promise.all(Array.from({ length: concurrency }, (_, k) => loop(k)));
const elapsed = (performance.now() - started) / 1000;
await dispatcher.close();
parentPort.postMessage({ requests, failures, seconds: elapsed });
