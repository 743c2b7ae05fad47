import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors/errors.js';
import type { HealthCheck } from '../../src/extensions/health-check/health-check.js';
import type { Collector } from '../../src/service/collector.js';
import { componentOf, resolveYaml, sinks, startYaml } from './support/pipeline.js';

const config = (healthEndpoint: string) => `
extensions:
  health_check:
    endpoint: ${healthEndpoint}
    path: /health
receivers:
  capture:
exporters:
  sink:
service:
  extensions: [health_check]
  telemetry:
    metrics:
      address: 127.0.0.1:0
  pipelines:
    traces:
      receivers: [capture]
      exporters: [sink]
`;

let collector: Collector | undefined;
afterEach(async () => {
  await collector?.shutdown();
  collector = undefined;
});

async function health(c: Collector) {
  const address = componentOf<HealthCheck>(c, 'extension', 'health_check').address;
  const res = await fetch(`http://${address}/health`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('health_check in a running collector', () => {
  it('is available once every component started, listing each one', async () => {
    collector = await startYaml(config('127.0.0.1:0'));
    const { status, body } = await health(collector);
    expect(status).toBe(200);
    expect(body.status).toBe('Server available');
    expect(body.components).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'health_check', kind: 'extension', state: 'ok' }),
        expect.objectContaining({ id: 'capture', kind: 'receiver', state: 'ok' }),
        expect.objectContaining({ id: 'sink', kind: 'exporter', state: 'ok' }),
      ]),
    );
  });

  it('stays available but shows the reason when an exporter reports itself degraded', async () => {
    collector = await startYaml(config('127.0.0.1:0'));
    collector.graph.host.record('exporter', 'sink', {
      state: 'degraded',
      reason: 'Opik answered 401: check api_key',
    });
    const { status, body } = await health(collector);
    expect(status).toBe(200);
    expect(body.components).toContainEqual({
      id: 'sink',
      kind: 'exporter',
      state: 'degraded',
      reason: 'Opik answered 401: check api_key',
      since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('is not available while the collector shuts down', async () => {
    collector = await startYaml(config('127.0.0.1:0'));
    let release = () => {};
    sinks.get('sink')!.release = new Promise<void>((r) => {
      release = r;
    });
    const stopping = collector.shutdown();
    const { status, body } = await health(collector);
    release();
    await stopping;
    expect(status).toBe(503);
    expect(body.status).toBe('Server not available');
  });

  it('is refused at config time when its port clashes with the metrics endpoint', () => {
    const clash = config('0.0.0.0:8888').replace('address: 127.0.0.1:0', 'address: 127.0.0.1:8888');
    expect(() => resolveYaml(clash)).toThrow(ConfigError);
    expect(() => resolveYaml(clash)).toThrow(
      /port 8888 is already used by extension "health_check" \(endpoint\)/,
    );
  });
});
