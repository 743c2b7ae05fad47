/**
 * Every shipped config is valid (`validate`'s rules and the JSON Schema), the schema matches the
 * code, and the container files say what the README promises. There is no Docker engine here:
 * the Dockerfile and compose file are parsed, and the image's exact command line is run against
 * the local build.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadBuiltinFactories } from '../../src/components.js';
import { collectorJsonSchema } from '../../src/config/json-schema.js';
import { loadConfig } from '../../src/config/load.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { runCollector, tempPath } from '../e2e/cli.js';

const builtinFactories = await loadBuiltinFactories();

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const version = (JSON.parse(read('package.json')) as { version: string }).version;
const env = {
  OPIK_API_KEY: 'k',
  OPIK_WORKSPACE: 'w',
  OPIK_URL_OVERRIDE: 'https://www.comet.com/opik/api',
};

const kubernetesConfig = () =>
  (parse(read('deploy/kubernetes/configmap.yaml')) as { data: Record<string, string> }).data[
    'collector.yaml'
  ]!;

/** Every collector config the repository ships, as [name, YAML text]. */
const configs: Array<[string, string]> = [
  ['collector.yaml', read('collector.yaml')],
  ...readdirSync(new URL('config/examples/', root)).map((f): [string, string] => [
    `config/examples/${f}`,
    read(`config/examples/${f}`),
  ]),
  ['deploy/kubernetes/configmap.yaml (collector.yaml)', kubernetesConfig()],
];

const ajv = new Ajv2020({ allErrors: true, strict: false });
const schema = JSON.parse(read('config/collector.schema.json')) as Record<string, unknown>;
const checkSchema = ajv.compile(schema);

describe('shipped configs', () => {
  it('config/collector.schema.json is what the code generates (run `npm run gen:schema`)', () => {
    expect(collectorJsonSchema(builtinFactories, version)).toEqual(schema);
  });

  it.each(configs)('%s passes validate', (_name, text) => {
    const file = tempPath('config.yaml');
    writeFileSync(file, text);
    expect(() => resolveConfig(loadConfig([file]), builtinFactories, env)).not.toThrow();
  });

  it.each(configs)('%s is valid against the JSON Schema', (_name, text) => {
    const ok = checkSchema(parse(text));
    expect(checkSchema.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the JSON Schema catches what an editor should flag', () => {
    expect(checkSchema({ exporters: { opik: { endpont: 'x' } } })).toBe(false);
    expect(checkSchema({ receivers: { kafka: {} } })).toBe(false);
    expect(checkSchema({ processors: { batch: { timeout: 'soon' } } })).toBe(false);
    expect(checkSchema({ processors: { batch: { timeout: '${env:BATCH_TIMEOUT}' } } })).toBe(true);
    const logs = (l: object) => checkSchema({ service: { telemetry: { logs: l } } });
    expect(logs({ level: 'DEBUG', encoding: 'console' })).toBe(true);
    expect(logs({ level: 'loud' })).toBe(false);
  });
});

describe('Dockerfile', () => {
  const docker = read('Dockerfile');
  const lines = docker.split('\n').filter((l) => !l.trimStart().startsWith('#'));
  const instr = (name: string) => lines.filter((l) => l.startsWith(`${name} `));

  it('is multi-stage on the current Node LTS, slim at run time', () => {
    expect(instr('FROM')).toEqual([
      'FROM node:24-bookworm AS build',
      'FROM node:24-bookworm-slim AS runtime',
    ]);
  });

  it('runs as a non-root user with production dependencies only', () => {
    expect(instr('USER')).toEqual(['USER node']);
    expect(docker).toContain('npm prune --omit=dev');
  });

  it('has a health check on the health endpoint, a volume for the queue, and the ports', () => {
    expect(docker).toMatch(
      /HEALTHCHECK[^\n]*\\\n\s+CMD \["node", "-e", "fetch\('http:\/\/127\.0\.0\.1:13133\/'\)/,
    );
    expect(instr('VOLUME')).toEqual(['VOLUME ["/var/lib/dify-opik-collector"]']);
    expect(instr('EXPOSE')).toEqual(['EXPOSE 4317 4318 4319 4320 13133']);
  });

  it('builds better-sqlite3 from source, with no binary download', () => {
    expect(docker).toContain('COPY package.json package-lock.json .prebuild-installrc ./');
    expect(docker).toContain('npm ci --ignore-scripts');
    expect(docker).toContain('npm rebuild better-sqlite3');
  });

  it('starts the same command line a local build runs, and its health check passes', async () => {
    const entry = JSON.parse(/ENTRYPOINT (\[.*\])/.exec(docker)![1]!) as string[];
    const cmd = JSON.parse(/CMD (\["--config".*\])/.exec(docker)![1]!) as string[];
    expect(entry).toEqual(['node', 'dist/cli/collector.js']);
    // The image copies collector.yaml to the path in CMD; locally, the same file.
    const args = cmd.map((a) =>
      a === '/etc/dify-opik-collector/collector.yaml' ? 'collector.yaml' : a,
    );
    // With the image's Node settings, so that a flag Node refuses fails here.
    const nodeOptions = /NODE_OPTIONS=(\S+)/.exec(docker)![1]!;
    const run = runCollector(args, {
      NODE_OPTIONS: nodeOptions,
      DATA_DIR: tempPath('data'),
      OTLP_GRPC_ENDPOINT: '127.0.0.1:0',
      OTLP_HTTP_ENDPOINT: '127.0.0.1:0',
      DIFY_RECEIVER_ENDPOINT: '127.0.0.1:0',
      HEALTH_CHECK_ENDPOINT: '127.0.0.1:0',
      STATUS_ENDPOINT: '127.0.0.1:0',
      METRICS_ADDRESS: '127.0.0.1:0',
    });
    const health = await run.waitForLog((l) => l.msg === 'health check listening');
    await run.waitForLog((l) => l.msg === 'collector started');
    const check = /HEALTHCHECK[\s\S]*?CMD (\[.*\])/.exec(docker)![1]!;
    const [node, flag, script] = JSON.parse(check) as string[];
    expect(node).toBe('node');
    const probe = spawnSync(process.execPath, [
      flag!,
      script!.replace('127.0.0.1:13133', String(health.address)),
    ]);
    expect(probe.status).toBe(0);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });
});

describe('installing better-sqlite3', () => {
  it('compiles from source: its installer finds .prebuild-installrc and downloads nothing', () => {
    expect(read('.prebuild-installrc')).toMatch(/^buildFromSource=true$/m);
    // As npm runs it at install time: from the package's own directory, upward to ours.
    const r = spawnSync(process.execPath, ['../prebuild-install/bin.js', '--verbose'], {
      cwd: new URL('node_modules/better-sqlite3/', root).pathname,
      encoding: 'utf8',
      env: { ...process.env, npm_config_build_from_source: '' },
    });
    expect(r.stderr).toContain('--build-from-source specified, not attempting download.');
    expect(r.stderr).not.toContain('http request');
    expect(r.status).toBe(1); // so that `prebuild-install || node-gyp rebuild` compiles
  });

  it('leaves npm without unknown settings (no warning on every npm command)', () => {
    const r = spawnSync('npm', ['config', 'list'], { cwd: root.pathname, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/Unknown \w+ config/);
  });
});

describe('.ci/run', () => {
  /** Runs .ci/run with apt-get and npm stubbed (npm fails, so it stops after the install). */
  function ciRun(chromium: string) {
    const bin = tempPath('bin');
    mkdirSync(bin);
    const log = join(bin, 'apt-get.log');
    writeFileSync(join(bin, 'apt-get'), `#!/bin/sh\necho "$*" >> ${log}\n`, { mode: 0o755 });
    writeFileSync(join(bin, 'npm'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    const r = spawnSync('bash', [new URL('.ci/run', root).pathname], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, CHROMIUM: chromium },
    });
    return { stdout: r.stdout, aptGet: existsSync(log) ? readFileSync(log, 'utf8') : '' };
  }

  it('installs Chromium with apt-get when it is missing', () => {
    const r = ciRun('/nonexistent/chromium');
    expect(r.aptGet).toBe('update\ninstall -y chromium\n');
    expect(r.stdout.trim().split('\n').at(-1)).toBe('0 passed, 1 failed');
  });

  it('leaves apt alone when Chromium is there', () => {
    expect(ciRun(process.execPath).aptGet).toBe('');
  });
});

describe('compose sidecar', () => {
  const compose = parse(read('deploy/compose/docker-compose.sidecar.yaml')) as {
    services: Record<string, Record<string, unknown>>;
    volumes: Record<string, unknown>;
  };
  const svc = compose.services['dify-opik-collector']!;

  it('joins the default network of Dify’s project and publishes no port by default', () => {
    expect(svc.networks).toEqual(['default']);
    expect(svc.ports).toBeUndefined();
    expect(svc.expose).toEqual(expect.arrayContaining(['4317', '4318', '4319']));
  });

  it('takes Opik’s settings under the names of Opik’s SDKs', () => {
    expect(Object.keys(svc.environment as object)).toEqual(
      expect.arrayContaining([
        'OPIK_URL_OVERRIDE',
        'OPIK_API_KEY',
        'OPIK_WORKSPACE',
        'OPIK_PROJECT_NAME',
        'DATA_DIR',
      ]),
    );
  });

  it('keeps the queue on a named volume and checks health', () => {
    expect(svc.volumes).toEqual(['dify_opik_collector_data:/var/lib/dify-opik-collector']);
    expect(compose.volumes).toHaveProperty('dify_opik_collector_data');
    expect((svc.healthcheck as { test: string[] }).test.join(' ')).toContain('127.0.0.1:13133');
  });
});

describe('compose variant taking Dify’s trace queue', () => {
  const compose = parse(read('deploy/compose/docker-compose.dify-queue.yaml')) as {
    services: Record<string, Record<string, unknown>>;
    volumes: Record<string, unknown>;
  };
  const svc = compose.services['dify-opik-collector']!;
  const env = svc.environment as Record<string, string>;

  it('runs the image’s copy of config/examples/dify-queue.yaml', () => {
    expect(svc.command).toEqual(['--config', '/etc/dify-opik-collector/dify-queue.yaml']);
    expect(read('Dockerfile')).toContain(
      'COPY config/examples/dify-queue.yaml /etc/dify-opik-collector/dify-queue.yaml',
    );
  });

  it('passes the variables of Dify’s docker/.env the config reads, with the same defaults', () => {
    const config = read('config/examples/dify-queue.yaml');
    const defaults = new Map(
      [...config.matchAll(/\$\{env:([A-Z_]+):-([^}]*)\}/g)].map((m) => [m[1]!, m[2]!]),
    );
    const dify = ['CELERY_BROKER_URL', 'DB_USERNAME', 'DB_PASSWORD', 'DB_HOST', 'DB_PORT'];
    for (const name of [...dify, 'DB_DATABASE', 'STORAGE_TYPE', 'OPENDAL_SCHEME']) {
      expect(env[name]).toBe(`\${${name}:-${defaults.get(name)}}`);
    }
    expect(env.DIFY_STORAGE_ROOT).toBe(defaults.get('DIFY_STORAGE_ROOT'));
  });

  it('mounts Dify’s storage volume where Dify’s api has it, as Dify’s uid', () => {
    expect(svc.volumes).toEqual([
      './volumes/app/storage:/app/api/storage',
      'dify_opik_collector_queue_data:/var/lib/dify-opik-collector',
    ]);
    expect(svc.user).toBe('1001:1000');
    expect(compose.volumes).toHaveProperty('dify_opik_collector_queue_data');
  });

  it('is the compose snippet the README shows', () => {
    const section = read('README.md').split("### Taking Dify's trace queue")[1]!;
    const snippet = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
    expect(parse(snippet)).toEqual(compose);
  });

  it('takes ops_trace away from Dify’s worker through the queue variables its entrypoint reads', () => {
    const worker = compose.services.worker!.environment as Record<string, string>;
    expect(Object.keys(worker)).toEqual(['CELERY_QUEUES', 'CELERY_WORKER_QUEUES']);
    for (const v of Object.values(worker)) expect(v).toMatch(/^\$\{DIFY_WORKER_QUEUES:\?/);
  });
});

describe('Kubernetes sidecar', () => {
  const patch = parse(read('deploy/kubernetes/sidecar-container.yaml')) as Array<{
    value: Record<string, unknown>;
  }>;
  const container = patch[0]!.value as Record<string, unknown>;

  it('probes the health endpoint and takes the API key from a Secret', () => {
    expect(container.livenessProbe).toMatchObject({ httpGet: { path: '/', port: 'health' } });
    expect(container.readinessProbe).toMatchObject({ httpGet: { path: '/', port: 'health' } });
    const key = (container.env as unknown as Array<{ name: string; valueFrom?: unknown }>).find(
      (e) => e.name === 'OPIK_API_KEY',
    );
    expect(key?.valueFrom).toEqual({
      secretKeyRef: { name: 'dify-opik-collector', key: 'OPIK_API_KEY' },
    });
  });

  it('mounts the config from the ConfigMap and the queue on a volume, with resources set', () => {
    expect(container.volumeMounts).toEqual([
      { name: 'dify-opik-collector-config', mountPath: '/etc/dify-opik-collector', readOnly: true },
      { name: 'dify-opik-collector-data', mountPath: '/var/lib/dify-opik-collector' },
    ]);
    expect(container.resources).toEqual({
      requests: { cpu: '100m', memory: '192Mi' },
      limits: { cpu: '1', memory: '512Mi' },
    });
  });

  it('ships manifests that are all YAML documents Kubernetes can read', () => {
    for (const f of readdirSync(new URL('deploy/kubernetes/', root))) {
      for (const doc of parseAllDocuments(read(`deploy/kubernetes/${f}`)))
        expect(doc.errors).toEqual([]);
    }
  });
});
