import { describe, expect, it } from 'vitest';
import { batchConfigSchema, createDefaultConfig, validate } from './config.js';

const parse = (user: Record<string, unknown>) =>
  batchConfigSchema.parse({ ...createDefaultConfig(), ...user });

describe('batch config', () => {
  it('has the Collector defaults', () => {
    expect(parse({})).toEqual({ send_batch_size: 8192, send_batch_max_size: 0, timeout: 200 });
  });

  it.each([
    [{ timeout: '0' }, { timeout: 0 }],
    [
      { timeout: '5s', send_batch_size: '100' },
      { timeout: 5000, send_batch_size: 100 },
    ],
    [{ send_batch_max_size: 10000 }, { send_batch_max_size: 10000 }],
  ])('parses %j', (user, expected) => {
    expect(parse(user)).toMatchObject(expected);
  });

  it.each([
    [{ send_batch_size: -1 }, 'must not be negative'],
    [{ send_batch_max_size: -5 }, 'must not be negative (0 means no limit)'],
    [{ timeout: 'soon' }, 'expected a duration such as 200ms, 5s or 1m, got the string "soon"'],
    [{ metadata_keys: ['tenant'] }, 'Unrecognized key: "metadata_keys"'],
  ])('rejects %j', (user, message) => {
    const result = batchConfigSchema.safeParse({ ...createDefaultConfig(), ...user });
    expect(result.error?.issues.map((i) => i.message)).toEqual([message]);
  });

  it.each([
    [100, 0, []],
    [100, 100, []],
    [100, 1000, []],
    [
      8192,
      1000,
      [
        {
          path: 'send_batch_max_size',
          message:
            'send_batch_max_size (1000) must be greater or equal to send_batch_size (8192); raise it, or set 0 to never split batches',
        },
      ],
    ],
  ])('with send_batch_size %i and send_batch_max_size %i reports %j', (size, max, issues) => {
    expect(validate(parse({ send_batch_size: size, send_batch_max_size: max }))).toEqual(issues);
  });
});
