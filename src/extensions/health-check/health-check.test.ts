import { afterEach, describe, expect, it } from 'vitest';
import type { CollectorStatus, Host } from '../../component/types.js';
import { testSettings } from '../../testing/settings.js';
import { createDefaultConfig, healthCheckConfigSchema } from './config.js';
import { createHealthCheck, type HealthCheck } from './health-check.js';

class StatusHost implements Host {
  status: CollectorStatus = { ready: true, startedAt: new Date(), components: [], pipelines: [] };
  getExtension() {
    return undefined;
  }
  reportStatus(): void {}
  publishDetails(): void {}
  collectorStatus(): CollectorStatus {
    return this.status;
  }
}

let running: HealthCheck | undefined;
afterEach(async () => {
  await running?.shutdown();
  running = undefined;
});

const config = (user: Record<string, unknown>) =>
  healthCheckConfigSchema.parse({ ...createDefaultConfig(), ...user });

async function start(path = '/', host = new StatusHost()) {
  running = createHealthCheck(
    testSettings('extension', 'health_check'),
    config({ endpoint: '127.0.0.1:0', path }),
  );
  await running.start(host);
  return { url: `http://${running.address}`, host };
}

describe('health_check extension', () => {
  it('answers 200 with the status body while the collector is ready', async () => {
    const { url, host } = await start();
    host.status = {
      ...host.status,
      components: [
        {
          id: 'opik',
          kind: 'exporter',
          state: 'degraded',
          reason: 'Opik answered 401',
          since: new Date(),
        },
      ],
    };
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'Server available',
      upSince: host.status.startedAt!.toISOString(),
      components: [
        { id: 'opik', kind: 'exporter', state: 'degraded', reason: 'Opik answered 401' },
      ],
    });
    expect(body.uptime).toMatch(/^\d+(ms|(\.\d+)?s)$/);
  });

  it('answers 503 once a component has failed', async () => {
    const { url, host } = await start();
    host.status = {
      ...host.status,
      components: [
        { id: 'otlp', kind: 'receiver', state: 'failed', reason: 'port taken', since: new Date() },
      ],
    };
    const res = await fetch(url);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'Server not available' });
  });

  it('serves only its path, and only GET and HEAD', async () => {
    const { url } = await start('/health/status');
    expect((await fetch(`${url}/health/status?verbose=1`)).status).toBe(200);
    expect((await fetch(`${url}/`)).status).toBe(404);
    const head = await fetch(`${url}/health/status`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
    const post = await fetch(`${url}/health/status`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('stops listening on shutdown, and a second shutdown is harmless', async () => {
    const { url } = await start();
    await running!.shutdown();
    await running!.shutdown();
    await expect(fetch(url)).rejects.toThrow();
  });

  it('fails to start with a clear error when its port is taken', async () => {
    const { url } = await start();
    const second = createHealthCheck(
      testSettings('extension', 'health_check/2'),
      config({ endpoint: url.replace('http://', '') }),
    );
    await expect(second.start(new StatusHost())).rejects.toThrow(/address is already in use/);
  });
});
