import { describe, expect, it } from 'vitest';
import { createDefaultConfig, fileConfigSchema, validate } from './config.js';

const parse = (user: Record<string, unknown>) =>
  fileConfigSchema.safeParse({ ...createDefaultConfig(), ...user });

const ROTATION_DEFAULTS = { max_megabytes: 100, max_days: 0, max_backups: 100, localtime: false };

describe('file exporter config', () => {
  it('needs only a path, and rotates nothing by default', () => {
    expect(parse({ path: '/tmp/t.json' }).data).toEqual({
      path: '/tmp/t.json',
      append: false,
      flush_interval: 1000,
    });
  });

  it.each([
    [{}, ROTATION_DEFAULTS],
    [null, ROTATION_DEFAULTS],
    [
      { max_megabytes: '5', localtime: 'true' },
      { ...ROTATION_DEFAULTS, max_megabytes: 5, localtime: true },
    ],
    [
      { max_days: 7, max_backups: 0 },
      { ...ROTATION_DEFAULTS, max_days: 7, max_backups: 0 },
    ],
  ])('fills rotation %j with the Collector defaults', (rotation, expected) => {
    expect(parse({ path: 'x.json', rotation }).data?.rotation).toEqual(expected);
  });

  it.each([
    [{}, ['path'], 'expected a string, got nothing'],
    [{ path: ' ' }, ['path'], 'path must be non-empty'],
    [
      { path: 'x', rotation: { max_megabytes: 0 } },
      ['rotation', 'max_megabytes'],
      'must be at least 1',
    ],
    [{ path: 'x', rotation: { max_days: -1 } }, ['rotation', 'max_days'], 'must be at least 0'],
    [
      { path: 'x', flush_interval: '-1s' },
      ['flush_interval'],
      'expected a duration such as 200ms, 5s or 1m, got the string "-1s"',
    ],
    [{ path: 'x', format: 'proto' }, [], 'Unrecognized key: "format"'],
  ])('rejects %j', (user, path, message) => {
    expect(parse(user).error?.issues.map((i) => [i.path, i.message])).toEqual([[path, message]]);
  });

  it('refuses append together with rotation, as the Collector does', () => {
    const config = parse({ path: 'x', append: true, rotation: {} }).data!;
    expect(validate(config)).toEqual([
      {
        path: 'append',
        message:
          'append and rotation enabled at the same time is not supported; a rotated file is always continued, so drop append',
      },
    ]);
    expect(validate(parse({ path: 'x', append: true }).data!)).toEqual([]);
  });
});
