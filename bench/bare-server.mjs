// The baseline: a bare Node HTTP server that only reads and decodes each OTLP request with the
// same protobufjs schema, and answers 200. Whatever the collector adds is measured against it.
import { createServer } from 'node:http';
import { ExportTraceServiceRequest } from './request.mjs';

let spans = 0;
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const msg = ExportTraceServiceRequest.decode(Buffer.concat(chunks));
    for (const rs of msg.resourceSpans) for (const ss of rs.scopeSpans) spans += ss.spans.length;
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on('SIGTERM', () => {
  process.stderr.write(`${JSON.stringify({ decodedSpans: spans })}\n`);
  server.close(() => process.exit(0));
});
