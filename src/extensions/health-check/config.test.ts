import { describe, expect, it } from 'vitest';
import { createDefaultConfig, healthCheckConfigSchema } from './config.js';
import { healthCheckExtensionFactory } from './factory.js';

const parse = (user: Record<string, unknown>) =>
  healthCheckConfigSchema.safeParse({ ...createDefaultConfig(), ...user });

describe('health_check config', () => {
  it('defaults to loopback on 13133 at /, and declares that listener', () => {
    const config = parse({}).data!;
    expect(config).toEqual({
      endpoint: '127.0.0.1:13133',
      path: '/',
      component_health: { include_recoverable_errors: true, recovery_duration: 60_000 },
    });
    expect(healthCheckExtensionFactory.listeners?.(config)).toEqual([
      { key: 'endpoint', endpoint: '127.0.0.1:13133' },
    ]);
  });

  it.each([
    [{ endpoint: '13133' }, 'expected host:port with a port from 0 to 65535, got "13133"'],
    [{ path: 'health' }, 'expected a URL path starting with "/", got "health"'],
    [{ check_collector_pipeline: {} }, 'Unrecognized key: "check_collector_pipeline"'],
  ])('rejects %j', (user, message) => {
    expect(parse(user).error?.issues.map((i) => i.message)).toEqual([message]);
  });
});
