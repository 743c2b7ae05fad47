import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../config/secret.js';
import { createDefaultConfig, redisStorageConfigSchema, validate } from './config.js';
import { connectionUrl } from './connection.js';

const parse = (over: Record<string, unknown>) =>
  redisStorageConfigSchema.safeParse({ ...createDefaultConfig(), ...over });

describe('redis_storage config', () => {
  it('takes the URLs Redis clients take: password, user, database, rediss', () => {
    for (const url of [
      'redis://redis:6379/2',
      'redis://:difyai123456@redis:6379/1',
      'redis://collector:s3cret@10.0.0.5',
      'rediss://redis.example.com:6380/0',
      'redis://[::1]:6379',
    ]) {
      expect(parse({ url }).success, url).toBe(true);
    }
  });

  it('refuses other URLs, without repeating their password', () => {
    const bad = parse({ url: 'http://:hunter2-secret@redis:6379/x' });
    expect(bad.success).toBe(false);
    const message = JSON.stringify(bad.error?.issues);
    expect(message).toContain('must start with redis:// or rediss://');
    expect(message).not.toContain('hunter2-secret');
    expect(JSON.stringify(parse({ url: 'redis://redis:6379/two' }).error?.issues)).toContain(
      'database number',
    );
  });

  it('applies tls settings to rediss:// only, and wants timeouts above 0', () => {
    const c = parse({ url: 'redis://redis:6379', tls: { ca_file: 'ca.pem' }, command_timeout: 0 });
    expect(c.success).toBe(true);
    expect(validate(c.data!).map((i) => i.path)).toEqual(['tls', 'command_timeout']);
    const ok = parse({ url: 'rediss://redis:6380', tls: { ca_file: 'ca.pem' } });
    expect(validate(ok.data!)).toEqual([]);
  });

  it('puts username and password into the URL, encoded, over the URL’s own', () => {
    const c = parse({ url: 'redis://:old@redis:6379/2', username: 'u', password: 'p@ss:w/rd' })
      .data!;
    expect(connectionUrl(c)).toBe('redis://u:p%40ss%3Aw%2Frd@redis:6379/2');
    expect(connectionUrl(parse({ url: 'redis://redis/3' }).data!)).toBe('redis://redis/3');
    // An empty password (an unset variable) keeps the URL's.
    const kept = parse({ url: 'redis://:fromurl@redis/3', password: '', username: '' }).data!;
    expect(connectionUrl(kept)).toBe('redis://:fromurl@redis/3');
  });

  it('is printed without its secrets', () => {
    const printed = JSON.stringify(
      redactSecrets({ url: 'redis://:difyai123456@redis:6379/1', password: 'other-secret' }),
    );
    expect(printed).not.toMatch(/difyai123456|other-secret/);
  });
});
