import { describe, expect, it } from 'vitest';
import { difyReceiverConfigSchema } from './config.js';
import { difyReceiverFactory } from './factory.js';

const parse = (user: Record<string, unknown>) =>
  difyReceiverConfigSchema.safeParse({ ...difyReceiverFactory.createDefaultConfig(), ...user });

describe('dify receiver config', () => {
  it('defaults to 0.0.0.0:4319, 20 MiB bodies and no auth', () => {
    expect(parse({}).data).toEqual({ endpoint: '0.0.0.0:4319', max_request_body_size: 20971520 });
    expect(difyReceiverFactory.listeners!(parse({}).data!)).toEqual([
      { key: 'endpoint', endpoint: '0.0.0.0:4319' },
    ]);
  });

  it('reads values that arrive as strings from ${env:...} and --set', () => {
    expect(parse({ max_request_body_size: '1048576', auth: { token: 's3cret' } }).data).toEqual({
      endpoint: '0.0.0.0:4319',
      max_request_body_size: 1048576,
      auth: { token: 's3cret' },
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
    [{ auth: { token: '' } }, 'auth.token', 'must not be empty'],
    [{ auth: { authenticator: 'bearertokenauth' } }, 'auth', 'Unrecognized key: "authenticator"'],
    [{ paths: ['/x'] }, '', 'Unrecognized key: "paths"'],
  ])('refuses %j at %s', (user, path, message) => {
    const issues = parse(user).error?.issues.map((i) => ({
      path: i.path.join('.'),
      message: i.message,
    }));
    expect(issues).toContainEqual({ path, message });
  });
});
