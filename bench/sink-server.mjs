// A local stand-in for Opik's endpoints during benchmarks: answers every POST at once (200 for
// OTLP, 204 for the REST batch API) after reading the body, and counts requests and bytes.
import { createServer } from 'node:http';

let requests = 0;
let bytes = 0;
const server = createServer((req, res) => {
  req.on('data', (c) => {
    bytes += c.length;
  });
  req.on('end', () => {
    requests++;
    const rest = req.url?.includes('/batch');
    res.writeHead(rest ? 204 : 200).end();
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on('SIGTERM', () => {
  process.stderr.write(`${JSON.stringify({ sinkRequests: requests, sinkBytes: bytes })}\n`);
  server.close(() => process.exit(0));
});
