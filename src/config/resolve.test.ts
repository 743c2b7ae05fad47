import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatIssue } from '../errors/errors.js';
import { loadConfig } from './load.js';
import { resolveConfig } from './resolve.js';
import { testFactories } from './testdata/factories.js';

const dir = mkdtempSync(join(tmpdir(), 'doc-config-'));
let n = 0;
function file(text: string): string {
  const path = join(dir, `c${n++}.yaml`);
  writeFileSync(path, text);
  return path;
}

const VALID = `receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:4318
processors:
  batch:
exporters:
  debug:
service:
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [debug]
`;

function problems(text: string, env: NodeJS.ProcessEnv = {}, sets: string[] = []): string[] {
  const path = file(text);
  try {
    resolveConfig(loadConfig([path], sets), testFactories, env);
  } catch (err) {
    if (err instanceof ConfigError)
      return err.issues.map((i) => formatIssue({ ...i, file: i.file === path ? 'F' : i.file }));
    throw err;
  }
  return [];
}

describe('resolveConfig', () => {
  it('accepts a valid config and applies defaults', () => {
    const resolved = resolveConfig(loadConfig([file(VALID)]), testFactories, {});
    expect(resolved.pipelines).toEqual([
      { id: 'traces', receivers: ['otlp'], processors: ['batch'], exporters: ['debug'] },
    ]);
    expect(resolved.components.get('processor:batch')?.config).toEqual({
      send_batch_size: 8192,
      send_batch_max_size: 0,
      timeout: 200,
    });
    expect(resolved.telemetry.metrics.address).toBe('127.0.0.1:8888');
  });

  it.each([
    [
      'an unknown key, with its line',
      VALID.replace('endpoint: 127.0.0.1:4318', 'endpoint: 127.0.0.1:4318\n        endpiont: x'),
      ['receivers::otlp::protocols::http::endpiont: unknown key (F:6)'],
    ],
    [
      'an unknown component type',
      VALID.replace('  debug:', '  kafka:').replace('[debug]', '[kafka]'),
      ['exporters::kafka: unknown exporter type "kafka"; known types: debug, opik (F:9)'],
    ],
    [
      'a pipeline naming an undefined processor',
      VALID.replace('[batch]', '[batch, memory_limiter]'),
      [
        'service::pipelines::traces::processors::1: references processor "memory_limiter", which is not configured under processors (F:14)',
      ],
    ],
    [
      'a wrong type, and a cross-field rule',
      VALID.replace('  batch:', '  batch:\n    send_batch_size: lots\n    timeout: 5 parsecs'),
      [
        'processors::batch::send_batch_size: expected an integer, got the string "lots" (F:8)',
        'processors::batch::timeout: expected a duration such as 200ms, 5s or 1m, got the string "5 parsecs" (F:9)',
      ],
    ],
    [
      'send_batch_max_size below send_batch_size',
      VALID.replace('  batch:', '  batch:\n    send_batch_size: 100\n    send_batch_max_size: 10'),
      [
        'processors::batch::send_batch_max_size: must be greater than or equal to send_batch_size (F:9)',
      ],
    ],
    [
      'two listeners on one port',
      VALID.replace(
        'endpoint: 127.0.0.1:4318',
        'endpoint: 0.0.0.0:4318\n      grpc:\n        endpoint: 127.0.0.1:4318',
      ),
      [
        'receivers::otlp::protocols::grpc::endpoint: port 4318 is already used by receiver "otlp" (protocols::http::endpoint); two listeners cannot share a port (F:7)',
      ],
    ],
    [
      'a listener on the metrics port',
      VALID.replace('127.0.0.1:4318', '127.0.0.1:8888'),
      [
        'service::telemetry::metrics::address: port 8888 is already used by receiver "otlp" (protocols::http::endpoint); two listeners cannot share a port (F:10)',
      ],
    ],
    [
      'a metrics pipeline',
      VALID.replace('    traces:', '    metrics:'),
      [
        'service::pipelines::metrics: unsupported signal "metrics": this collector runs traces pipelines (traces or traces/<name>) (F:12)',
      ],
    ],
    [
      'a pipeline without exporters',
      VALID.replace('      exporters: [debug]\n', ''),
      ['service::pipelines::traces::exporters: a pipeline needs at least one exporter (F:12)'],
    ],
    [
      'an unknown top-level section and a bad component id',
      `${VALID}extras: {}\n`.replace('  debug:', '  debug:\n  "debug/": {}'),
      [
        'exporters::debug/: invalid component id "debug/": the name after "/" must not be empty or contain spaces, control characters or symbols (F:10)',
        'extras: unknown section; expected one of receivers, processors, exporters, extensions, connectors, service (F:17)',
      ].sort(),
    ],
    [
      'a missing service section',
      'exporters:\n  debug:\n',
      ['service: missing; a config needs service::pipelines with at least one traces pipeline'],
    ],
    [
      'an unsupported reference scheme',
      VALID.replace('127.0.0.1:4318', '${file:/etc/endpoint}'),
      [
        'receivers::otlp::protocols::http::endpoint: expected host:port with a port from 0 to 65535, got "${file:/etc/endpoint}" (F:5)',
        'receivers::otlp::protocols::http::endpoint: unsupported reference ${file:/etc/endpoint}: only ${env:NAME}, ${NAME} and ${env:NAME:-default} are expanded (write $$ for a literal $) (F:5)',
      ],
    ],
  ])('reports %s', (_name, text, expected) => {
    expect(problems(text).sort()).toEqual([...expected].sort());
  });

  it('expands ${env:VAR}, ${VAR}, defaults and $$', () => {
    // A replacer function, because a replacement string would read `$$` itself.
    const text = VALID.replace('127.0.0.1:4318', () => '${env:HOST}:${PORT}').replace(
      '  debug:',
      () =>
        '  opik:\n    endpoint: ${env:OPIK_URL_OVERRIDE:-http://localhost:5173/api}\n    api_key: $${not_expanded}\n  debug:',
    );
    const resolved = resolveConfig(loadConfig([file(text)]), testFactories, {
      HOST: '127.0.0.2',
      PORT: '5000',
    });
    expect(resolved.components.get('receiver:otlp')?.config).toEqual({
      protocols: { http: { endpoint: '127.0.0.2:5000' } },
    });
    expect(resolved.components.get('exporter:opik')?.config).toEqual({
      endpoint: 'http://localhost:5173/api',
      api_key: '${not_expanded}',
      workspace: 'default',
    });
  });

  it('keeps an empty variable that is set, and reports unset ones', () => {
    const text = VALID.replace(
      '  debug:',
      '  opik:\n    api_key: ${env:KEY:-fallback}\n    workspace: ${env:WS}\n  debug:',
    );
    const resolved = resolveConfig(loadConfig([file(text)]), testFactories, { KEY: '' });
    expect(resolved.components.get('exporter:opik')?.config).toMatchObject({
      api_key: '',
      workspace: '',
    });
    expect(resolved.unsetEnv).toEqual(['WS']);
  });

  it('merges several files (maps merge, lists replace) and applies --set last', () => {
    const base = file(VALID);
    const overlay = file(`processors:
  batch:
    send_batch_size: 10
exporters:
  opik: {}
service:
  pipelines:
    traces:
      exporters: [opik]
`);
    const resolved = resolveConfig(
      loadConfig(
        [base, overlay],
        [
          'receivers::otlp::protocols::http::endpoint=127.0.0.1:5000',
          'processors::batch::timeout=1s',
        ],
      ),
      testFactories,
      {},
    );
    expect(resolved.pipelines[0]).toEqual({
      id: 'traces',
      receivers: ['otlp'],
      processors: ['batch'],
      exporters: ['opik'],
    });
    expect(resolved.components.get('processor:batch')?.config).toMatchObject({
      send_batch_size: 10,
      timeout: 1000,
    });
    expect(resolved.components.get('receiver:otlp')?.config).toEqual({
      protocols: { http: { endpoint: '127.0.0.1:5000' } },
    });
  });

  it('reports a problem introduced by --set at the flag', () => {
    expect(problems(VALID, {}, ['processors::batch::send_batch_size=many'])).toEqual([
      'processors::batch::send_batch_size: expected an integer, got the string "many" (--set)',
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(() => loadConfig([file('receivers:\n  otlp: [\n')])).toThrow(
      /c\d+\.yaml:\d+: invalid YAML/,
    );
  });

  it('reports a missing file clearly', () => {
    expect(() => loadConfig([join(dir, 'nope.yaml')])).toThrow(
      /cannot read config file .*nope\.yaml: no such file/,
    );
  });
});
