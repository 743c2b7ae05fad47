import { describe, expect, it } from 'vitest';
import { difyReceiverConfigSchema } from './config.js';
import { difyReceiverFactory } from './factory.js';

const parse = (user: Record<string, unknown>) =>
  difyReceiverConfigSchema.safeParse({ ...difyReceiverFactory.createDefaultConfig(), ...user });

describe('dify receiver config', () => {
  it('defaults to 0.0.0.0:4319, 20 MiB bodies, no auth, no TLS, Collector-like timeouts', () => {
    expect(parse({}).data).toEqual({
      endpoint: '0.0.0.0:4319',
      max_request_body_size: 20971520,
      read_header_timeout: 60_000,
      read_timeout: 60_000,
      idle_timeout: 60_000,
      max_connections: 512,
      limits: {
        max_spans_per_request: 16_384,
        max_attributes_per_span: 128,
        max_attribute_value_length: 1_048_576,
        max_array_length: 10_000,
        max_depth: 64,
      },
    });
    expect(difyReceiverFactory.listeners!(parse({}).data!)).toEqual([
      { key: 'endpoint', endpoint: '0.0.0.0:4319' },
    ]);
  });

  it('reads values that arrive as strings from ${env:...} and --set', () => {
    expect(
      parse({
        max_request_body_size: '1048576',
        read_timeout: '30s',
        auth: { authenticator: 'bearertokenauth' },
      }).data,
    ).toMatchObject({
      endpoint: '0.0.0.0:4319',
      max_request_body_size: 1048576,
      read_timeout: 30_000,
      auth: { authenticator: 'bearertokenauth' },
    });
  });

  it.each<[Record<string, unknown>, string, string]>([
    [
      { endpoint: 'localhost' },
      'endpoint',
      'expected host:port with a port from 0 to 65535, got "localhost"',
    ],
    [{ max_request_body_size: 0 }, 'max_request_body_size', 'must be at least 1'],
    [
      { max_request_body_size: '20MiB' },
      'max_request_body_size',
      'expected an integer, got the string "20MiB"',
    ],
    [{ auth: { authenticator: '' } }, 'auth.authenticator', 'must name an extension'],
    [{ auth: { token: 's3cret' } }, 'auth', 'Unrecognized key: "token"'],
    [{ read_timeout: '0s' }, 'read_timeout', 'must be greater than 0'],
    [{ tls: { cert_file: 'a.crt' } }, 'tls', 'a server needs both cert_file and key_file'],
    [{ paths: ['/x'] }, '', 'Unrecognized key: "paths"'],
  ])('refuses %j at %s', (user, path, message) => {
    const issues = parse(user).error?.issues.map((i) => ({
      path: i.path.join('.'),
      message: i.message,
    }));
    expect(issues).toContainEqual({ path, message });
  });
});
