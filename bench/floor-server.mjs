// The floor: the least a server that forwards OTLP to Opik does per request, written plainly so
// that what the collector adds on top of it can be told from what any such server pays. It reads
// each request, finds its spans with the collector's own scanner (`otlp/proto-scan`), gathers the
// requests until 1000 spans or 200 ms (the benchmark's batch), gzips them at the exporter's
// default level and POSTs them to the sink's OTLP path as one request (concatenated requests are
// one valid request: protobuf merges their repeated fields), and answers each request once the
// sink has answered, as the collector's batch processor does. No Opik ids, no `opik.*`
// attributes, no trace rows, no retries, no limits.
//   node bench/floor-server.mjs <sink port> <gzip level>
// Prints {"port": …} once listening. Needs a build. It loads nothing of the collector but the
// scanner, so that its memory is a floor too; the gzip level comes from the caller.
import { Agent, createServer, request } from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { NO_LIMITS } from '../dist/otlp/limits.js';
import { scanTracesRequest } from '../dist/otlp/proto-scan.js';

const BATCH_SPANS = 1000;
const BATCH_TIMEOUT_MS = 200;
const gzipAsync = promisify(gzip);
const sinkPort = Number(process.argv[2]);
const level = Number(process.argv[3]);
const agent = new Agent({ keepAlive: true });

let bodies = [];
let waiting = [];
let spans = 0;
let timer;

function post(body) {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: sinkPort,
        path: '/api/v1/private/otel/v1/traces',
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-protobuf',
          'content-encoding': 'gzip',
          'content-length': body.length,
        },
      },
      (res) => {
        res.resume();
        res.once('end', () => (res.statusCode === 200 ? resolve() : reject(res.statusCode)));
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

async function flush() {
  clearTimeout(timer);
  timer = undefined;
  const batch = Buffer.concat(bodies);
  const answers = waiting;
  bodies = [];
  waiting = [];
  spans = 0;
  let status = 200;
  try {
    await post(await gzipAsync(batch, { level }));
  } catch {
    status = 503;
  }
  for (const res of answers)
    res.writeHead(status, { 'content-type': 'application/x-protobuf' }).end();
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const scanned = scanTracesRequest(body, NO_LIMITS);
    if (!scanned) {
      // The scan leaves such requests to the collector's decoder; the benchmark sends none.
      res.writeHead(400).end();
      return;
    }
    bodies.push(body);
    waiting.push(res);
    spans += scanned.spans.count;
    if (spans >= BATCH_SPANS) void flush();
    else timer ??= setTimeout(flush, BATCH_TIMEOUT_MS);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
