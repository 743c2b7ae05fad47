import { describe, expect, it } from 'vitest';
import {
  createDefaultConfig,
  grpcTarget,
  type OtlpGrpcConfig,
  otlpGrpcConfigSchema,
  usesTls,
  validate,
} from './config.js';

const parse = (over: Record<string, unknown>): OtlpGrpcConfig =>
  otlpGrpcConfigSchema.parse({ ...createDefaultConfig(), ...over });

describe('otlp exporter config', () => {
  it('has the Collector’s defaults and needs an endpoint', () => {
    const c = parse({ endpoint: 'gateway:4317' });
    expect(c).toMatchObject({
      compression: 'gzip',
      timeout: 5000,
      balancer_name: 'round_robin',
      wait_for_ready: false,
      headers: {},
      retry_on_failure: { enabled: true, initial_interval: 5000, max_elapsed_time: 300_000 },
      sending_queue: { enabled: true, num_consumers: 10, queue_size: 1000, sizer: 'requests' },
    });
    expect(validate(c)).toEqual([]);
    expect(otlpGrpcConfigSchema.safeParse(createDefaultConfig()).success).toBe(false);
  });

  it('takes headers as a map or as a list of {name, value}, refusing duplicates', () => {
    expect(parse({ endpoint: 'g:1', headers: { 'X-Key': 'v' } }).headers).toEqual({ 'x-key': 'v' });
    expect(parse({ endpoint: 'g:1', headers: [{ name: 'x-key', value: 'v' }] }).headers).toEqual({
      'x-key': 'v',
    });
    const dup = otlpGrpcConfigSchema.safeParse({
      ...createDefaultConfig(),
      endpoint: 'g:1',
      headers: [
        { name: 'X-Key', value: 'a' },
        { name: 'x-key', value: 'b' },
      ],
    });
    expect(dup.success).toBe(false);
    expect(JSON.stringify(dup.error?.issues)).toContain('duplicate header');
  });

  it('refuses header values that would split a header, and the headers gRPC writes itself', () => {
    const bad = otlpGrpcConfigSchema.safeParse({
      ...createDefaultConfig(),
      endpoint: 'g:1',
      headers: { 'x-key': 'a\r\nx-injected: b' },
    });
    expect(JSON.stringify(bad.error?.issues)).toContain('cannot hold CR, LF or NUL');
    expect(
      validate(parse({ endpoint: 'g:1', headers: { 'grpc-timeout': '1S', 'X-Ok': 'v', TE: 'x' } })),
    ).toEqual([
      {
        path: 'headers::grpc-timeout',
        message: '"grpc-timeout" is set by the exporter or its transport and cannot be configured',
      },
      {
        path: 'headers::te',
        message: '"te" is set by the exporter or its transport and cannot be configured',
      },
    ]);
  });

  it('dials host:port, strips http(s)://, and passes gRPC targets through', () => {
    expect(grpcTarget('gateway:4317')).toBe('gateway:4317');
    expect(grpcTarget('http://gateway:4317')).toBe('gateway:4317');
    expect(grpcTarget('https://[::1]:4317')).toBe('[::1]:4317');
    expect(grpcTarget('dns:///gateway.svc:4317')).toBe('dns:///gateway.svc:4317');
    expect(grpcTarget('gateway')).toBeUndefined();
    expect(grpcTarget('http://gateway')).toBeUndefined();
    expect(
      otlpGrpcConfigSchema.safeParse({ ...createDefaultConfig(), endpoint: 'gw' }).success,
    ).toBe(false);
  });

  it('uses TLS unless tls.insecure is set without a CA; https:// always does', () => {
    expect(usesTls(parse({ endpoint: 'g:1' }))).toBe(true);
    expect(usesTls(parse({ endpoint: 'http://g:1' }))).toBe(true);
    expect(usesTls(parse({ endpoint: 'g:1', tls: { insecure: true } }))).toBe(false);
    expect(usesTls(parse({ endpoint: 'g:1', tls: { insecure: true, ca_file: 'ca.pem' } }))).toBe(
      true,
    );
    expect(usesTls(parse({ endpoint: 'https://g:1', tls: { insecure: true } }))).toBe(true);
  });
});
