import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackupNames } from './backup-name.js';

const at = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678));

describe('rotated file names', () => {
  it.each([
    ['/var/log/traces.json', '/var/log/traces-2026-01-02T03-04-05.678.json'],
    ['/var/log/traces', '/var/log/traces-2026-01-02T03-04-05.678'],
    ['out/spans.otlp.jsonl', join('out', 'spans.otlp-2026-01-02T03-04-05.678.jsonl')],
  ])('name a backup of %s as %s (UTC)', (path, backup) => {
    expect(new BackupNames(path, false).format(at)).toBe(backup);
  });

  it.each([false, true])('read back the time they were named with (localtime %s)', (localtime) => {
    const names = new BackupNames('/d/traces.json', localtime);
    const file = names.format(at).slice('/d/'.length);
    expect(names.parse(file)?.getTime()).toBe(at.getTime());
  });

  it.each([
    'traces.json',
    'traces-2026-01-02T03-04-05.678.json.gz',
    'other-2026-01-02T03-04-05.678.json',
    'traces-2026-01-02T03:04:05.678.json',
    'traces-2026-13-45T03-04-05.678.json',
  ])('ignore %s, which is not one of them', (file) => {
    expect(new BackupNames('/d/traces.json', false).parse(file)).toBeUndefined();
  });
});
