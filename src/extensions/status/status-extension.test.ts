import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { CollectorHost } from '../../pipeline/host.js';
import { silentLogger } from '../../telemetry/logger.js';
import { createTestPki } from '../../testing/certs.js';
import { testSettings } from '../../testing/settings.js';
import { statusConfigSchema } from './config.js';
import type { StatusSnapshot } from './snapshot.js';
import { createStatusExtension, type StatusExtension } from './status-extension.js';

let running: StatusExtension | undefined;
afterEach(async () => {
  await running?.shutdown();
  running = undefined;
});

async function start() {
  const pipelines = [{ id: 'traces', receivers: ['otlp'], processors: [], exporters: ['opik'] }];
  const host = new CollectorHost(silentLogger(), pipelines);
  host.ready = true;
  host.startedAt = new Date();
  const settings = testSettings('extension', 'status');
  running = createStatusExtension(settings, statusConfigSchema.parse({ endpoint: '127.0.0.1:0' }));
  await running.start(host.viewFor('extension', 'status'));
  return { url: `http://${running.address}`, host, settings };
}

describe('status extension', () => {
  it('serves the page, its style and script from the package, uncached', async () => {
    const { url } = await start();
    for (const [path, type] of [
      ['/', 'text/html; charset=utf-8'],
      ['/status.css', 'text/css; charset=utf-8'],
      ['/status.js', 'text/javascript; charset=utf-8'],
    ] as const) {
      const res = await fetch(url + path);
      expect([path, res.status, res.headers.get('content-type')]).toEqual([path, 200, type]);
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
    const html = await (await fetch(`${url}/`)).text();
    expect(html).toContain('<script src="status.js"></script>');
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // nothing from elsewhere
  });

  it('answers the same data as JSON at /api/status, live', async () => {
    const { url, host, settings } = await start();
    const opik = host.viewFor('exporter', 'opik');
    host.record('exporter', 'opik', { state: 'ok' });
    opik.publishDetails(() => ({ path: 'otlp' }));
    settings.telemetry.exporterSentSpans.labels({ exporter: 'opik' }).inc(12);
    opik.reportStatus({ state: 'recoverable_error', reason: 'Opik answered HTTP 503' });
    const res = await fetch(`${url}/api/status`);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as StatusSnapshot;
    expect(body.service).toBe('dify-opik-collector');
    expect(body.pipelines[0]!.exporters[0]).toMatchObject({
      id: 'opik',
      state: 'recoverable_error',
      reason: 'Opik answered HTTP 503',
    });
    expect(body.exporters).toEqual([expect.objectContaining({ id: 'opik', path: 'otlp' })]);
  });

  it('answers 404 elsewhere and 405 to anything but GET and HEAD', async () => {
    const { url } = await start();
    expect((await fetch(`${url}/debug/tracez`)).status).toBe(404);
    const post = await fetch(`${url}/api/status`, { method: 'POST', body: '{}' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    const head = await fetch(`${url}/api/status`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
  });

  it('fails to start with a clear error when its port is taken', async () => {
    const { url } = await start();
    const second = createStatusExtension(
      testSettings('extension', 'status/2'),
      statusConfigSchema.parse({ endpoint: url.replace('http://', '') }),
    );
    const host = new CollectorHost(silentLogger());
    await expect(second.start(host.viewFor('extension', 'status/2'))).rejects.toThrow(
      /address is already in use/,
    );
  });

  it('stops listening on shutdown, and a second shutdown is harmless', async () => {
    const { url } = await start();
    await running!.shutdown();
    await running!.shutdown();
    await expect(fetch(url)).rejects.toThrow();
  });

  it('serves the page and its JSON over TLS when tls is set', async () => {
    const pki = createTestPki();
    try {
      const pipelines = [{ id: 'traces', receivers: [], processors: [], exporters: [] }];
      const host = new CollectorHost(silentLogger(), pipelines);
      host.ready = true;
      host.startedAt = new Date();
      running = createStatusExtension(
        testSettings('extension', 'status'),
        statusConfigSchema.parse({
          endpoint: '127.0.0.1:0',
          tls: { cert_file: pki.serverCert, key_file: pki.serverKey },
          read_timeout: '5s',
          max_connections: 4,
        }),
      );
      await running.start(host.viewFor('extension', 'status'));
      const agent = new Agent({ connect: { ca: readFileSync(pki.caCert) } });
      const res = await request(`https://${running.address}/api/status`, { dispatcher: agent });
      expect(res.statusCode).toBe(200);
      expect(((await res.body.json()) as StatusSnapshot).collector.ready).toBe(true);
      await agent.close();
      // Plain text to a TLS port gets nothing.
      await expect(fetch(`http://${running.address}/api/status`)).rejects.toThrow();
    } finally {
      pki.remove();
    }
  });
});
