import type { Socket } from 'node:net';
import { credentials, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeTracesRequest } from '../../otlp/proto-codec.js';
import { rawTraceService } from '../../otlp/trace-service.js';
import { memoryBudget } from '../../pipeline/memory-budget.js';
import { everyFieldTraces } from '../../testing/otlp-fixtures.js';
import { rawClient as openRaw, type RawClient } from '../../testing/raw-client.js';
import { TestHost, testSettings } from '../../testing/settings.js';
import { TracesSink } from '../../testing/sink.js';
import { otlpConfigSchema } from './config.js';
import { createOtlpReceiver, type OtlpReceiver } from './receiver.js';

const running: OtlpReceiver[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(running.splice(0).map((r) => r.shutdown()));
});

async function start(protocols: Record<string, unknown>, sink = new TracesSink()) {
  const r = createOtlpReceiver(
    testSettings('receiver', 'otlp'),
    otlpConfigSchema.parse({ protocols }),
    sink,
  );
  running.push(r);
  await r.start(new TestHost());
  return r;
}

/** A raw connection, closed after the test. */
function rawClient(address: string): RawClient {
  const c = openRaw(address);
  sockets.push(c.socket);
  return c;
}

describe('slow and numerous clients', () => {
  it('cuts a client that trickles its headers after read_header_timeout (408)', async () => {
    const r = await start({ http: { endpoint: '127.0.0.1:0', read_header_timeout: '1s' } });
    const c = rawClient(r.addresses.http!);
    c.socket.write('POST /v1/traces HTTP/1.1\r\nHost: x\r\n');
    const timer = setInterval(() => c.socket.write('X-Slow: 1\r\n'), 200);
    try {
      expect(await c.closed).toBeLessThan(4000);
    } finally {
      clearInterval(timer);
    }
    expect(c.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('cuts a client that trickles its body after read_timeout (408), holding nothing', async () => {
    const sink = new TracesSink();
    const r = await start({ http: { endpoint: '127.0.0.1:0', read_timeout: '1s' } }, sink);
    const c = rawClient(r.addresses.http!);
    c.socket.write(
      'POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: 1000\r\n\r\n',
    );
    const timer = setInterval(() => c.socket.write('\x0a'), 200);
    try {
      expect(await c.closed).toBeLessThan(4000);
    } finally {
      clearInterval(timer);
    }
    expect(c.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(sink.batches).toEqual([]);
  });

  it('closes connections beyond max_connections as they arrive (HTTP and gRPC)', async () => {
    const r = await start({
      http: { endpoint: '127.0.0.1:0', max_connections: 2 },
      grpc: { endpoint: '127.0.0.1:0', max_connections: 2 },
    });
    for (const address of [r.addresses.http!, r.addresses.grpc!]) {
      const open = [rawClient(address), rawClient(address)];
      await Promise.all(
        open.map((c) => new Promise((resolve) => c.socket.once('connect', resolve))),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      const third = rawClient(address);
      expect(await third.closed).toBeLessThan(1000);
      for (const c of open) c.socket.destroy();
    }
  });

  it('refuses a request the memory limit has no room for before reading its body (503, Retry-After)', async () => {
    const sink = new TracesSink();
    const r = await start({ http: { endpoint: '127.0.0.1:0' } }, sink);
    const unregister = memoryBudget.register({}, 0);
    try {
      const c = rawClient(r.addresses.http!);
      // Headers announce 10 MB; not one byte of the body is sent, and the answer comes anyway.
      c.socket.write(
        'POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: 10000000\r\n\r\n',
      );
      await expect.poll(c.received, { timeout: 2000 }).toMatch(/^HTTP\/1\.1 503/);
      expect(c.received()).toMatch(/retry-after: 1/i);
      expect(sink.batches).toEqual([]);
    } finally {
      unregister();
    }
    const res = await fetch(`http://${r.addresses.http}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: Buffer.from(encodeTracesRequest(everyFieldTraces())),
    });
    expect(res.status).toBe(200);
  });

  it('refuses a gRPC call with UNAVAILABLE before its message is read when memory is short', async () => {
    const r = await start({ grpc: { endpoint: '127.0.0.1:0' } });
    const Client = makeGenericClientConstructor(rawTraceService, 'TraceService');
    const client = new Client(r.addresses.grpc!, credentials.createInsecure());
    const call = () =>
      new Promise<ServiceError | null>((resolve) =>
        (
          client as unknown as { Export: (b: Buffer, cb: (e: ServiceError | null) => void) => void }
        ).Export(Buffer.from(encodeTracesRequest(everyFieldTraces())), (err) => resolve(err)),
      );
    const unregister = memoryBudget.register({}, 0);
    try {
      const err = await call();
      expect(err?.code).toBe(14);
      expect(err?.details).toMatch(/high memory usage/);
    } finally {
      unregister();
    }
    expect(await call()).toBeNull();
    client.close();
  });
});
