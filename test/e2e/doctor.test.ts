import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadBuiltinFactories } from '../../src/components.js';
import { runDoctor } from '../../src/doctor/run-doctor.js';
import { FakeOpik, type FakeOpikOptions } from '../fake-opik/server.js';
import { cli, cliAsync, runCollector } from './cli.js';

const builtinFactories = await loadBuiltinFactories();

const fakes: FakeOpik[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
  for (const s of servers.splice(0)) s.close();
});

function configFor(endpoint: string, opik: Record<string, string> = {}, listen = '127.0.0.1:0') {
  const dir = mkdtempSync(join(tmpdir(), 'doctor-'));
  const file = join(dir, 'collector.yaml');
  const extra = Object.entries(opik)
    .map(([k, v]) => `    ${k}: ${v}`)
    .join('\n');
  writeFileSync(
    file,
    `extensions:
  file_storage:
    directory: ${dir}/data
receivers:
  otlp:
    protocols:
      http:
        endpoint: ${listen}
exporters:
  opik:
    endpoint: ${endpoint}
${extra}
    sending_queue: { enabled: true, storage: file_storage }
service:
  extensions: [file_storage]
  telemetry: { metrics: { level: none } }
  pipelines:
    traces: { receivers: [otlp], exporters: [opik] }
`,
  );
  return { file, dir };
}

/** Ports nothing listens on right now. */
async function freePorts(n: number): Promise<number[]> {
  const held = await Promise.all(
    Array.from({ length: n }, async () => {
      const s = createServer();
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      return s;
    }),
  );
  const ports = held.map((s) => (s.address() as { port: number }).port);
  await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

async function fake(options: FakeOpikOptions = {}, tweak: (f: FakeOpik) => void = () => {}) {
  const f = await new FakeOpik(options).start();
  tweak(f);
  fakes.push(f);
  return f;
}

/** The report with the variable parts (ports, temp dirs, clock skew) made stable. */
async function doctor(file: string, dir: string) {
  const report = await runDoctor([file], [], builtinFactories, {});
  return {
    ok: report.ok,
    lines: report.lines.map((l) =>
      l
        .replaceAll(dir, '<dir>')
        .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
        .replace(/\(\d+ s (ahead of|behind) Opik\)/, '(<skew>)'),
    ),
  };
}

const CONFIG_OK = 'config is valid: 1 pipeline(s), 3 component(s)';
const PORT_OK = '✓ receiver "otlp" can listen on 127.0.0.1:<port>';
const QUEUE_OK = '✓ exporter "opik": the queue directory <dir>/data is writable; nothing queued';

describe('dify-opik-collector doctor', () => {
  it('passes every check against a healthy self-hosted Opik', async () => {
    const f = await fake();
    const { file, dir } = configFor(`${f.url}/api`);
    expect(await doctor(file, dir)).toEqual({
      ok: true,
      lines: [
        `✓ ${CONFIG_OK}`,
        PORT_OK,
        '✓ exporter "opik": Opik answers at http://127.0.0.1:<port>/api',
        '✓ exporter "opik": no API key needed (self-hosted Opik); workspace "default" accepted',
        '✓ exporter "opik": the clock is within Opik Cloud’s 24 h ingestion window (<skew>)',
        '✓ exporter "opik": Opik 2.2.122; spans are written for Opik 2.2',
        '✓ exporter "opik": Opik’s OTLP endpoint exists and accepts the opik.* id overrides',
        QUEUE_OK,
        'all checks passed',
      ],
    });
    expect(f.traces()).toEqual([]);
  });

  it('says Opik is down, and how to fix the endpoint', async () => {
    const f = await fake();
    const url = f.url;
    await f.stop();
    const { file, dir } = configFor(`${url}/api`);
    const r = await doctor(file, dir);
    expect(r.ok).toBe(false);
    expect(r.lines.slice(2, 4)).toEqual([
      '✗ exporter "opik": Opik is not reachable at http://127.0.0.1:<port>/api: ECONNREFUSED',
      '    fix: set OPIK_URL_OVERRIDE (exporters::<id>::endpoint) to Opik’s API base: self-hosted http://<host>:5173/api (or the backend, http://<host>:8080), Opik Cloud https://www.comet.com/opik/api, and check that Opik is running and reachable from here',
    ]);
    expect(r.lines.at(-1)).toBe('1 check(s) failed');
  });

  it('says the API key is refused (HTTP 401)', async () => {
    const f = await fake({ auth: { mode: 'cloud', keys: { 'good-key': ['team'] } } });
    const { file, dir } = configFor(`${f.url}/api`, { api_key: 'wrong-key', workspace: 'team' });
    const r = await doctor(file, dir);
    expect(r.lines.slice(2, 5)).toEqual([
      '✓ exporter "opik": Opik answers at http://127.0.0.1:<port>/api',
      '✗ exporter "opik": Opik refused the API key (HTTP 401: User not allowed to access workspace!)',
      '    fix: set OPIK_API_KEY to a key that belongs to the workspace (Opik Cloud: your account’s API key page)',
    ]);
    expect(r.ok).toBe(false);
  });

  it('says the workspace is unknown', async () => {
    const f = await fake();
    const { file, dir } = configFor(`${f.url}/api`, { workspace: 'acme' });
    const r = await doctor(file, dir);
    expect(r.lines.slice(3, 5)).toEqual([
      '✗ exporter "opik": workspace "acme" is unknown to this Opik (HTTP 404: Workspace not found)',
      '    fix: set OPIK_WORKSPACE to your workspace name; a self-hosted Opik without auth only has "default"',
    ]);
  });

  it('says when Opik has no OTLP endpoint, and that REST carries the data', async () => {
    const f = await fake({}, (x) => {
      x.otlpMissing = true;
    });
    const { file, dir } = configFor(`${f.url}/api`);
    const r = await doctor(file, dir);
    expect(r.lines.slice(6, 8)).toEqual([
      '✗ exporter "opik": Opik has no OTLP endpoint at http://127.0.0.1:<port>/api/v1/private/otel/v1/traces (HTTP 404); the REST API will carry the data instead',
      '    fix: nothing is lost; upgrade Opik to a version with OTLP ingestion to use it',
    ]);
    expect(r.ok).toBe(false);
  });

  it('says when Opik ignores the id overrides (before 2.1)', async () => {
    const f = await fake({ idOverrides: false });
    const { file, dir } = configFor(`${f.url}/api`);
    const r = await doctor(file, dir);
    expect(r.lines.slice(6, 8)).toEqual([
      '✗ exporter "opik": Opik’s OTLP endpoint ignores the opik.* id overrides (an Opik before 2.1); the REST API will carry the data instead',
      '    fix: nothing is lost; upgrade Opik to 2.1 or later to use its OTLP endpoint',
    ]);
  });

  it.each([
    ['2.1.23', '✓ exporter "opik": Opik 2.1.23; spans are written for Opik 2.1'],
    [
      '2.3.0',
      '✓ exporter "opik": Opik 2.3.0 is newer than the newest version this collector knows; spans are written as for Opik 2.2.122',
    ],
  ])('shows the version Opik reports (%s) and what it means for the spans', async (v, line) => {
    const f = await fake({}, (x) => {
      x.reportedVersion = v;
    });
    const { file, dir } = configFor(`${f.url}/api`);
    expect((await doctor(file, dir)).lines[5]).toBe(line);
  });

  it('says when Opik does not tell its version', async () => {
    const f = await fake({}, (x) => x.fail('version', { status: 404 }));
    const { file, dir } = configFor(`${f.url}/api`);
    const r = await doctor(file, dir);
    expect(r.lines.slice(5, 7)).toEqual([
      '✗ exporter "opik": Opik does not tell its version at http://127.0.0.1:<port>/api/is-alive/ver; spans are written as for Opik 2.2.122',
      '    fix: let that path through to Opik (a proxy in front of it must pass /is-alive/); an Opik before 2.2 stores the 2.2 encoding under other keys',
    ]);
  });

  it('says a port is taken', async () => {
    const f = await fake();
    const taken = createServer();
    servers.push(taken);
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    const { file, dir } = configFor(`${f.url}/api`, {}, `127.0.0.1:${port}`);
    const r = await doctor(file, dir);
    expect(r.lines.slice(1, 3)).toEqual([
      '✗ receiver "otlp" cannot listen on 127.0.0.1:<port>: the address is already in use',
      '    fix: stop what uses that address (another collector?) or change receivers::otlp::protocols::http::endpoint',
    ]);
  });

  it('passes inside the running collector: its own ports are in use by itself', async () => {
    const f = await fake();
    const [otlp, health, status, metrics] = await freePorts(4);
    const { file, dir } = configFor(`${f.url}/api`, {}, `127.0.0.1:${otlp}`);
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .replace(
          'extensions:\n',
          `extensions:\n  health_check:\n    endpoint: 127.0.0.1:${health}\n  status:\n    endpoint: 127.0.0.1:${status}\n`,
        )
        .replace(
          '  extensions: [file_storage]',
          '  extensions: [health_check, status, file_storage]',
        )
        .replace('metrics: { level: none }', `metrics: { address: 127.0.0.1:${metrics} }`),
    );
    const run = runCollector(['--config', file]);
    await run.waitForLog((l) => l.msg === 'collector started');
    const r = await cliAsync(['doctor', '--config', file]);
    run.child.kill('SIGTERM');
    await run.exited;
    const via = `in the running collector (its health check at 127.0.0.1:${health})`;
    expect(r.stdout.replaceAll(dir, '<dir>').split('\n')).toEqual(
      expect.arrayContaining([
        `✓ extension "health_check" is serving on 127.0.0.1:${health} ${via}`,
        `✓ extension "status" is serving on 127.0.0.1:${status} ${via}`,
        `✓ receiver "otlp" is serving on 127.0.0.1:${otlp} ${via}`,
        `✓ the metrics endpoint is serving on 127.0.0.1:${metrics} ${via}`,
        'all checks passed',
      ]),
    );
    expect(r.code).toBe(0);
  });

  it('runs from the command line and exits 1 when a check fails', () => {
    const { file } = configFor('http://127.0.0.1:9/api');
    const r = cli(['doctor', '--config', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      '✗ exporter "opik": Opik is not reachable at http://127.0.0.1:9/api',
    );
  });
});
