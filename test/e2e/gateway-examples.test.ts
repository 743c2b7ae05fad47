/**
 * The shipped pair config/examples/sidecar-to-gateway.yaml and gateway.yaml, run as they are (two
 * processes of the built CLI, settings from the environment): a span sent to the sidecar reaches
 * Opik through the gateway.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { FakeOpik } from '../fake-opik/server.js';
import { type Running, runCollector } from './cli.js';
import { eventually, request } from './durable-support.js';

const example = (name: string) =>
  new URL(`../../config/examples/${name}`, import.meta.url).pathname;
const running: Running[] = [];
let fake: FakeOpik | undefined;

afterEach(async () => {
  for (const r of running.splice(0)) {
    r.child.kill('SIGTERM');
    await r.exited;
  }
  await fake?.stop();
});

function launch(config: string, env: Record<string, string>): Running {
  const run = runCollector(
    ['--config', example(config), '--set', 'service::telemetry::metrics::level=none'],
    {
      DATA_DIR: mkdtempSync(join(tmpdir(), 'gateway-example-')),
      OTLP_GRPC_ENDPOINT: '127.0.0.1:0',
      OTLP_HTTP_ENDPOINT: '127.0.0.1:0',
      DIFY_RECEIVER_ENDPOINT: '127.0.0.1:0',
      HEALTH_CHECK_ENDPOINT: '127.0.0.1:0',
      ...env,
    },
  );
  running.push(run);
  return run;
}

it('a span sent to the example sidecar reaches Opik through the example gateway', async () => {
  fake = await new FakeOpik().start();
  const gateway = launch('gateway.yaml', { OPIK_URL_OVERRIDE: `${fake.url}/api` });
  const grpc = await gateway.waitForLog((l) => l.msg === 'OTLP/gRPC receiver listening');
  await gateway.waitForLog((l) => l.msg === 'collector started');

  const sidecar = launch('sidecar-to-gateway.yaml', { GATEWAY_ENDPOINT: String(grpc.endpoint) });
  const http = await sidecar.waitForLog((l) => l.msg === 'OTLP/HTTP receiver listening');
  const res = await fetch(`http://${String(http.endpoint)}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf' },
    body: request('via-gateway', 3),
  });
  expect(res.status).toBe(200);
  await eventually(() => fake!.spans().length >= 3);
  expect(
    fake
      .spans()
      .map((s) => s.name)
      .sort(),
  ).toEqual(['via-gateway-0', 'via-gateway-1', 'via-gateway-2']);
});
