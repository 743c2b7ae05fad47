import { describe, expect, it } from 'vitest';
import { loadBuiltinFactories } from '../components.js';
import { parseYamlSource } from '../config/load.js';
import { Locations } from '../config/location.js';
import { resolveConfig } from '../config/resolve.js';
import { ConfigError } from '../errors/errors.js';
import { TestHost } from '../testing/settings.js';
import { clientAuthenticator, serverAuthenticator } from './auth.js';

const builtinFactories = await loadBuiltinFactories();

function problems(yaml: string): string[] {
  const locations = new Locations();
  const raw = parseYamlSource(yaml, 'test.yaml', locations) as Record<string, unknown>;
  try {
    resolveConfig({ raw, locations }, builtinFactories, {});
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
}

describe('auth: { authenticator }', () => {
  it('must name an extension listed under service::extensions', () => {
    const yaml = (listed: string) => `
extensions:
  bearertokenauth: { token: a-token }
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0, auth: { authenticator: bearertokenauth } }
      grpc: { endpoint: 127.0.0.1:0, auth: { authenticator: bearertokenauth/other } }
  dify: { endpoint: 127.0.0.1:0, auth: { authenticator: bearertokenauth } }
exporters:
  debug:
  otlp: { endpoint: 127.0.0.1:4317, auth: { authenticator: bearertokenauth } }
  otlphttp: { endpoint: http://127.0.0.1:4318, auth: { authenticator: bearertokenauth/other } }
service:
  extensions: [${listed}]
  pipelines:
    traces: { receivers: [otlp, dify], exporters: [debug, otlp, otlphttp] }
`;
    expect(problems(yaml('bearertokenauth'))).toEqual([
      'receivers::otlp::protocols::grpc::auth::authenticator: names extension "bearertokenauth/other", which is not listed under service::extensions nor configured under extensions',
      'exporters::otlphttp::auth::authenticator: names extension "bearertokenauth/other", which is not listed under service::extensions nor configured under extensions',
    ]);
    expect(problems(yaml(''))).toHaveLength(5);
  });

  it('resolves to a running extension that can do the job, or says why not', () => {
    const host = new TestHost();
    const both = {
      authenticate: () => {},
      authHeaders: () => ({}),
      start: async () => {},
      shutdown: async () => {},
    };
    host.extensions.set('auth', both);
    host.extensions.set('storage', { start: async () => {}, shutdown: async () => {} });
    expect(serverAuthenticator(host, { authenticator: 'auth' })).toBe(both);
    expect(clientAuthenticator(host, { authenticator: 'auth' })).toBe(both);
    expect(() => serverAuthenticator(host, { authenticator: 'missing' })).toThrow(
      'auth: extension "missing" is not running; list it under service::extensions',
    );
    expect(() => serverAuthenticator(host, { authenticator: 'storage' })).toThrow(
      'auth: extension "storage" cannot authenticate requests',
    );
    expect(() => clientAuthenticator(host, { authenticator: 'storage' })).toThrow(
      'auth: extension "storage" cannot add credentials to requests',
    );
  });
});
