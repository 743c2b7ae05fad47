import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadBuiltinFactories } from '../../src/components.js';
import { loadConfig } from '../../src/config/load.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { decodeTracesJson } from '../../src/otlp/json-codec.js';
import { encodeTracesRequest } from '../../src/otlp/proto-codec.js';
import { makeSpan, makeTraces } from '../../src/pdata/span.js';
import { cli, configFile, runCollector, tempPath } from './cli.js';

const builtinFactories = await loadBuiltinFactories();

const VALID = `receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:0
processors:
  batch:
exporters:
  opik:
    api_key: \${env:TEST_OPIK_KEY:-}
    workspace: team-a
  debug:
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [debug]
`;

describe('dify-opik-collector validate', () => {
  it('says a valid config is valid and exits 0', () => {
    const r = cli(['validate', '--config', configFile(VALID)]);
    expect([r.code, r.stdout.trim()]).toEqual([
      0,
      'configuration is valid: 1 pipeline(s), 4 component(s)',
    ]);
  });

  it('reports every problem at once with key path and line, and exits 1', () => {
    const path = configFile(
      VALID.replace(
        '        endpoint: 127.0.0.1:0',
        '        endpoint: 127.0.0.1:0\n        endpoitn: x',
      )
        .replace('  batch:', '  batch:\n    timeout: soon')
        .replace('[debug]', '[debug, kafka]'),
    );
    const r = cli(['validate', '--config', path]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      'invalid configuration: 3 problems',
      `  receivers::otlp::protocols::http::endpoitn: unknown key (${path}:6)`,
      `  processors::batch::timeout: expected a duration such as 200ms, 5s or 1m, got the string "soon" (${path}:9)`,
      `  service::pipelines::traces::exporters::1: references exporter "kafka", which is not configured under exporters (${path}:23)`,
    ]);
  });

  it('says clearly when no config is given', () => {
    const r = cli(['validate']);
    expect([r.code, r.stderr.trim()]).toEqual([
      1,
      'error: no config given; pass --config FILE (for example --config collector.yaml)',
    ]);
  });

  it('validates the repository collector.yaml', () => {
    expect(cli(['validate', '--config', 'collector.yaml']).code).toBe(0);
  });
});

describe('log settings', () => {
  it.each([
    ['DEBUG', 'debug'],
    ['trace', 'debug'],
    ['Info', 'info'],
    ['warning', 'warn'],
    ['WARN', 'warn'],
    ['ERROR', 'error'],
  ])('takes LOG_LEVEL=%s with the repository collector.yaml (as %s)', (level, as) => {
    const config = resolveConfig(loadConfig(['collector.yaml']), builtinFactories, {
      LOG_LEVEL: level,
    });
    expect(config.telemetry.logs).toEqual({ level: as, encoding: 'json' });
  });

  it('says what a wrong level should be, and nothing untrue about the extensions', () => {
    const r = cli(['validate', '--config', 'collector.yaml'], { LOG_LEVEL: 'loud' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      'invalid configuration: 1 problem',
      expect.stringMatching(
        /^ {2}service::telemetry::logs::level: expected one of debug, info, warn, error \(any case; trace and warning are read as debug and warn\), got "loud" \(.*collector\.yaml:\d+\)$/,
      ),
    ]);
  });

  it('writes console lines, as the Collector does, with logs::encoding: console', async () => {
    const config = configFile(
      VALID.replace(
        '  telemetry:\n',
        '  telemetry:\n    logs:\n      level: DEBUG\n      encoding: console\n',
      ),
    );
    const run = runCollector(['--config', config]);
    await run.waitForLog((l) => String(l.msg).includes('collector started'));
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const started = run.logs.find((l) => String(l.msg).includes('collector started'))!;
    expect(String(started.msg)).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\tinfo\t-\tcollector started\t\{"pipelines":\["traces"\]\}$/,
    );
    const receiver = run.logs.find((l) => String(l.msg).includes('OTLP/HTTP receiver listening'));
    expect(String(receiver?.msg)).toMatch(
      /\tinfo\treceiver\/otlp\tOTLP\/HTTP receiver listening\t\{"endpoint":"127\.0\.0\.1:\d+","tls":false\}$/,
    );
  });
});

describe('dify-opik-collector components', () => {
  it('lists the registered types by kind', () => {
    const r = cli(['components']);
    const listed = parse(r.stdout) as Record<string, Array<{ name: string }>>;
    expect(r.code).toBe(0);
    expect(listed.receivers!.map((c) => c.name)).toEqual(expect.arrayContaining(['otlp', 'dify']));
    expect(listed.processors!.map((c) => c.name)).toContain('batch');
    expect(listed.exporters!.map((c) => c.name)).toEqual(
      expect.arrayContaining(['opik', 'debug', 'file']),
    );
    expect(listed.extensions!.map((c) => c.name)).toContain('health_check');
  });
});

describe('dify-opik-collector print-config', () => {
  it('prints the merged, expanded config with defaults and secrets redacted', () => {
    const overlay = configFile('processors:\n  batch:\n    send_batch_size: 10\n');
    const r = cli(
      [
        'print-config',
        '--config',
        configFile(VALID),
        '--config',
        overlay,
        '--set',
        'exporters::opik::project_name=Demo',
      ],
      { TEST_OPIK_KEY: 'sk-secret-123' },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('sk-secret-123');
    const printed = parse(r.stdout) as {
      processors: { batch: Record<string, unknown> };
      exporters: { opik: Record<string, unknown> };
    };
    expect(printed.processors.batch).toMatchObject({ send_batch_size: 10, timeout: '200ms' });
    expect(printed.exporters.opik).toMatchObject({
      api_key: '[REDACTED]',
      workspace: 'team-a',
      project_name: 'Demo',
    });
  });

  it('shows secrets only when asked', () => {
    const r = cli(
      ['print-config', '--config', configFile(VALID), '--mode', 'unredacted', '--format', 'json'],
      {
        TEST_OPIK_KEY: 'sk-secret-123',
      },
    );
    expect(
      (JSON.parse(r.stdout) as { exporters: { opik: { api_key: string } } }).exporters.opik.api_key,
    ).toBe('sk-secret-123');
  });
});

describe('dify-opik-collector run', () => {
  it('shuts down gracefully on a SIGTERM that comes while it starts', async () => {
    const config = configFile(
      VALID.replace(
        'service:\n',
        'extensions:\n  health_check:\n    endpoint: 127.0.0.1:0\nservice:\n  extensions: [health_check]\n',
      ),
    );
    const run = runCollector(['--config', config]);
    // Extensions start first: the pipelines are not running yet.
    await run.waitForLog((l) => l.msg === 'health check listening');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.logs.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['signal received, shutting down', 'collector stopped']),
    );
  });

  it('drains the batch into the exporter on SIGTERM, answers the client, and exits 0', async () => {
    const out = tempPath('traces.jsonl');
    const config = configFile(`receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:0
processors:
  batch:
    send_batch_size: 100000
    timeout: 1h
exporters:
  file:
    path: ${out}
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [file]
`);
    const run = runCollector(['--config', config]);
    const listening = await run.waitForLog((l) => l.msg === 'OTLP/HTTP receiver listening');
    const traces = makeTraces([
      makeSpan({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), name: 'held by batch' }),
    ]);
    const answer = fetch(`http://${listening.endpoint as string}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: encodeTracesRequest(traces),
    });
    // The batch holds the span for an hour unless shutdown flushes it.
    await new Promise((r) => setTimeout(r, 300));
    run.child.kill('SIGTERM');
    expect((await answer).status).toBe(200);
    expect(await run.exited).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines.map((l) => decodeTracesJson(l))).toEqual([traces]);
    expect(run.logs.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        'collector started',
        'signal received, shutting down',
        'collector stopped',
      ]),
    );
  });

  it('refuses to start with an invalid config, exiting 1 before listening', () => {
    const r = cli(['--config', configFile(VALID.replace('[debug]', '[nope]'))]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('references exporter "nope"');
  });
});
