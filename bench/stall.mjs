// The longest event-loop stall one request of the largest allowed size causes: the shipped
// collector.yaml (every listener on a free port, Opik a local sink) gets three OTLP/HTTP requests of
// 16,384 spans (`max_spans_per_request`), 4 s apart, while its health endpoint is asked every 5 ms;
// the longest gap between two answers is the stall. Needs a build. Shape: genai (default) or testbed.
//   node bench/stall.mjs [genai|testbed]
import { createServer, request } from 'node:http';
import { join } from 'node:path';
import { collectorReady, json, shippedEnv, sleep, start, stop } from './proc.mjs';
import { makeRequestBody } from './request.mjs';

const root = new URL('..', import.meta.url).pathname;
const shape = process.argv[2] ?? 'genai';
const SPANS = 16_384;

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const sink = await start([join(root, 'bench/sink-server.mjs')], (line) => json(line)?.port);
const healthPort = await freePort();
const { child, match } = await start(
  [join(root, 'dist/cli/collector.js'), '--config', join(root, 'collector.yaml')],
  collectorReady(),
  {
    ...shippedEnv(`http://127.0.0.1:${sink.match}/api`),
    HEALTH_CHECK_ENDPOINT: `127.0.0.1:${healthPort}`,
  },
);
const body = Buffer.from(makeRequestBody(SPANS, shape));

const ask = () =>
  new Promise((resolve) => {
    request(`http://127.0.0.1:${healthPort}/`, (res) => {
      res.resume();
      res.on('end', resolve);
    })
      .on('error', resolve)
      .end();
  });
const post = () =>
  new Promise((resolve, reject) => {
    const req = request(
      `http://${match}/v1/traces`,
      { method: 'POST', headers: { 'content-type': 'application/x-protobuf' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', reject);
    req.end(body);
  });

await sleep(1000);
let longest = 0;
let polling = true;
const poller = (async () => {
  let last = performance.now();
  while (polling) {
    await ask();
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    await sleep(5);
  }
})();
const answers = [];
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  answers.push({ status: await post(), ms: Math.round(performance.now() - t0) });
  await sleep(4000);
}
polling = false;
await poller;
await stop(child);
await stop(sink.child);
console.log(
  JSON.stringify({
    shape,
    spans: SPANS,
    requestBytes: body.length,
    answers,
    longestStallMs: Math.round(longest),
  }),
);
