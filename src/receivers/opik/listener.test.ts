/**
 * The `opik` receiver's listener meets the bar of the other receivers: TLS (and mTLS) with Opik's
 * own TypeScript SDK as the client, timeouts for slow clients, a connection cap, and memory
 * reserved before a body is read.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { Agent, getGlobalDispatcher, request, setGlobalDispatcher } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { deepMerge } from '../../config/merge.js';
import { memoryBudget } from '../../pipeline/memory-budget.js';
import { createTestPki, type TestPki } from '../../testing/certs.js';
import { rawClient as openRaw, type RawClient } from '../../testing/raw-client.js';
import { testSettings } from '../../testing/settings.js';
import { TracesSink } from '../../testing/sink.js';
import { opikReceiverFactory } from './factory.js';
import type { OpikReceiver } from './receiver.js';

const running: OpikReceiver[] = [];
const sockets: Socket[] = [];
let pki: TestPki | undefined;
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(running.splice(0).map((r) => r.shutdown()));
  pki?.remove();
  pki = undefined;
});

async function start(overrides: Record<string, unknown> = {}, sink = new TracesSink()) {
  const config = opikReceiverFactory.configSchema.parse(
    deepMerge(
      deepMerge(opikReceiverFactory.createDefaultConfig(), {
        endpoint: '127.0.0.1:0',
        relay: { enabled: false },
      }),
      overrides,
    ),
  );
  const r = opikReceiverFactory.create(
    testSettings('receiver', 'opik'),
    config,
    sink,
  ) as OpikReceiver;
  running.push(r);
  await r.start();
  return r;
}

function rawClient(address: string): RawClient {
  const c = openRaw(address);
  sockets.push(c.socket);
  return c;
}

const TRACE = '019ad8f1-3a40-7000-8000-000000000001';
const batch = JSON.stringify({
  traces: [{ id: TRACE, name: 'run', start_time: '2026-12-01T09:00:00Z', project_name: 'p' }],
});

describe('opik receiver listener', () => {
  it('serves Opik’s TypeScript SDK over TLS, and with client_ca_file only clients with a certificate', async () => {
    pki = createTestPki();
    const sink = new TracesSink();
    const r = await start(
      {
        tls: { cert_file: pki.serverCert, key_file: pki.serverKey, client_ca_file: pki.caCert },
      },
      sink,
    );
    const url = `https://localhost:${r.address!.split(':').pop()}/api`;
    const trusted = new Agent({
      connect: {
        ca: readFileSync(pki.caCert),
        cert: readFileSync(pki.clientCert),
        key: readFileSync(pki.clientKey),
      },
    });
    const before = getGlobalDispatcher();
    setGlobalDispatcher(trusted);
    try {
      process.env.OPIK_LOG_LEVEL = 'ERROR';
      const { Opik } = await import('opik');
      const client = new Opik({
        apiUrl: url,
        apiKey: 'k',
        workspaceName: 'default',
        projectName: 'p',
      });
      client.trace({ id: TRACE, name: 'over tls', startTime: new Date('2026-12-01T09:00:00Z') });
      await client.flush();
    } finally {
      setGlobalDispatcher(before);
      await trusted.close();
    }
    expect(sink.spans().map((s) => s.name)).toEqual(['over tls']);

    const noCertificate = new Agent({ connect: { ca: readFileSync(pki.caCert) } });
    const refused = await request(`${url}/v1/private/traces/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: batch,
      dispatcher: noCertificate,
    }).catch((e: unknown) => e);
    await noCertificate.close();
    expect(refused).toBeInstanceOf(Error);
    expect(sink.spans()).toHaveLength(1);
  });

  it('cuts a client that trickles its body after read_timeout (408), holding nothing', async () => {
    const sink = new TracesSink();
    const r = await start({ read_timeout: '1s' }, sink);
    const c = rawClient(r.address!);
    c.socket.write(
      'POST /api/v1/private/traces/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n',
    );
    const timer = setInterval(() => c.socket.write(' '), 200);
    try {
      expect(await c.closed).toBeLessThan(4000);
    } finally {
      clearInterval(timer);
    }
    expect(c.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(sink.batches).toEqual([]);
  });

  it('closes connections beyond max_connections as they arrive', async () => {
    const r = await start({ max_connections: 2 });
    const open = [rawClient(r.address!), rawClient(r.address!)];
    await Promise.all(open.map((c) => new Promise((resolve) => c.socket.once('connect', resolve))));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await rawClient(r.address!).closed).toBeLessThan(1000);
  });

  it('refuses a write the memory limit has no room for before reading its body (429, Retry-After)', async () => {
    const sink = new TracesSink();
    const r = await start({}, sink);
    const unregister = memoryBudget.register({}, 0);
    try {
      const c = rawClient(r.address!);
      c.socket.write(
        'POST /api/v1/private/traces/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n',
      );
      await expect.poll(c.received, { timeout: 2000 }).toMatch(/^HTTP\/1\.1 429/);
      expect(c.received()).toMatch(/retry-after: 1/i);
      expect(c.received()).toMatch(/ratelimit-reset: 1/i);
    } finally {
      unregister();
    }
    const res = await fetch(`http://${r.address}/api/v1/private/traces/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: batch,
    });
    expect(res.status).toBe(204);
    expect(sink.spans()).toHaveLength(1);
  });
});
