import { describe, expect, it } from 'vitest';
import {
  createDefaultConfig,
  type OtlpHttpConfig,
  otlpHttpConfigSchema,
  tracesUrl,
  validate,
} from './config.js';

const parse = (over: Record<string, unknown>): OtlpHttpConfig =>
  otlpHttpConfigSchema.parse({ ...createDefaultConfig(), ...over });

describe('otlphttp exporter config', () => {
  it('has the Collector’s defaults', () => {
    expect(parse({ endpoint: 'http://gateway:4318' })).toMatchObject({
      encoding: 'proto',
      compression: 'gzip',
      compression_params: { level: -1 },
      timeout: 30_000,
      headers: {},
      retry_on_failure: { enabled: true, initial_interval: 5000, max_interval: 30_000 },
      sending_queue: { enabled: true, num_consumers: 10, queue_size: 1000 },
    });
  });

  it('needs endpoint or traces_endpoint', () => {
    expect(validate(parse({}))).toEqual([
      { path: 'endpoint', message: 'set endpoint or traces_endpoint' },
    ]);
    expect(validate(parse({ traces_endpoint: 'https://x/otlp/v1/traces' }))).toEqual([]);
  });

  it('refuses headers that describe the body or the connection; Host and User-Agent may be set', () => {
    expect(
      validate(
        parse({
          endpoint: 'http://gw:4318',
          headers: { 'Content-Type': 'text/plain', host: 'gw.example', 'user-agent': 'me' },
        }),
      ).map((i) => i.path),
    ).toEqual(['headers::content-type']);
  });

  it('refuses what the Collector refuses, with the accepted values in the message', () => {
    const bad = otlpHttpConfigSchema.safeParse({
      ...createDefaultConfig(),
      endpoint: 'gateway:4318',
      encoding: 'xml',
      compression: 'br',
    });
    const messages = bad.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toEqual([
      'endpoint: expected an http:// or https:// URL, got "gateway:4318"',
      'encoding: expected proto or json',
      'compression: expected gzip or none',
    ]);
  });

  it.each([
    [{ endpoint: 'http://gw:4318' }, 'http://gw:4318/v1/traces'],
    [{ endpoint: 'http://gw:4318/' }, 'http://gw:4318/v1/traces'],
    [
      { endpoint: 'https://otlp.example.com/api/otel' },
      'https://otlp.example.com/api/otel/v1/traces',
    ],
    [{ endpoint: 'https://x.example.com/base/' }, 'https://x.example.com/base/v1/traces'],
    [
      { endpoint: 'http://gw:4318', traces_endpoint: 'https://other:443/custom/path?tenant=a' },
      'https://other/custom/path?tenant=a',
    ],
    [{ traces_endpoint: 'http://gw:4318/v1/traces' }, 'http://gw:4318/v1/traces'],
  ])('%o sends traces to %s', (c, url) => {
    expect(tracesUrl(c).href).toBe(url);
  });
});
