import { describe, expect, it } from 'vitest';
import { deepMerge } from '../../config/merge.js';
import {
  checksIngestionWindow,
  createDefaultOpikConfig,
  opikConfigSchema,
  validateOpikConfig,
} from './config.js';

const parse = (user: Record<string, unknown> = {}) =>
  opikConfigSchema.parse(deepMerge(createDefaultOpikConfig(user), user));

describe('opik exporter config', () => {
  it('defaults to a local Opik with the SDK names and the Collector’s retry settings', () => {
    expect(parse()).toEqual({
      endpoint: 'http://localhost:5173/api',
      api_key: '',
      workspace: 'default',
      project_name: 'Default Project',
      compression: 'gzip',
      compression_params: { level: 1 },
      timeout: 30_000,
      retry_on_failure: {
        enabled: true,
        initial_interval: 5000,
        randomization_factor: 0.5,
        multiplier: 1.5,
        max_interval: 30_000,
        max_elapsed_time: 300_000,
      },
      sending_queue: {
        enabled: false,
        num_consumers: 10,
        queue_size: 1000,
        sizer: 'requests',
        block_on_overflow: false,
        drop_policy: 'refuse',
      },
      fallback: { enabled: true, switch_after_failures: 3, probe_interval: 300_000 },
      dead_letter: {},
      detect_id_overrides: true,
      ingestion_window: { check: 'auto', window: 86_400_000, outside: 'dead_letter' },
      trace_id_memory: { ttl: 10_800_000, max_entries: 100_000 },
      max_items_per_request: 1000,
      max_request_body_size: 0,
    });
  });

  it.each([
    ['no sending_queue block: off', {}, false],
    ['a block without enabled: on, as in the Collector', { storage: 'file_storage' }, true],
    ['an empty block: on', {}, true],
    ['enabled: false: off', { enabled: false, storage: 'file_storage' }, false],
  ])('turns the sending queue on as the Collector does — %s', (what, block, enabled) => {
    const user = what.startsWith('no ') ? {} : { sending_queue: block };
    expect(parse(user).sending_queue.enabled).toBe(enabled);
  });

  it('takes values as ${env:…} delivers them, strings', () => {
    const c = parse({
      timeout: '2s',
      fallback: { switch_after_failures: '5', enabled: 'false' },
      project_name: 2026,
    });
    expect([
      c.timeout,
      c.fallback.switch_after_failures,
      c.fallback.enabled,
      c.project_name,
    ]).toEqual([2000, 5, false, '2026']);
  });

  it.each([
    [{ endpoint: 'localhost:5173' }, 'endpoint'],
    [{ compression: 'zstd' }, 'compression'],
    [{ compression_params: { level: 0 } }, 'compression_params.level'],
    [{ compression_params: { level: 10 } }, 'compression_params.level'],
    [{ project_name: '  ' }, 'project_name'],
    [{ max_items_per_request: 1001 }, 'max_items_per_request'],
    [{ headers: {} }, ''],
    [{ ingestion_window: { outside: 'rebase' } }, 'ingestion_window'],
  ])('refuses %j', (user, path) => {
    const r = opikConfigSchema.safeParse(deepMerge(createDefaultOpikConfig(), user));
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path.join('.') ?? '').toContain(path);
  });

  it('checks cross-field rules', () => {
    expect(
      validateOpikConfig(
        parse({
          dead_letter: { path: '/a', directory: '/b' },
          retry_on_failure: { initial_interval: '1m' },
        }),
      ).map((i) => i.path),
    ).toEqual(['retry_on_failure::max_interval', 'dead_letter']);
  });

  it.each([
    ['https://www.comet.com/opik/api', 'auto', true],
    ['https://acme.comet.com/opik/api', 'auto', true],
    ['http://localhost:5173/api', 'auto', false],
    ['http://localhost:5173/api', true, true],
    ['https://www.comet.com/opik/api', false, false],
  ])('checks the ingestion window of %s with check=%s: %s', (endpoint, check, expected) => {
    expect(checksIngestionWindow(parse({ endpoint, ingestion_window: { check } }))).toBe(expected);
  });
});
