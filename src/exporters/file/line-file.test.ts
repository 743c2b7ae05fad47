import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../telemetry/logger.js';
import type { RotationConfig } from './config.js';
import { LineFile, type LineFileOptions } from './line-file.js';

const dir = () => mkdtempSync(join(tmpdir(), 'line-file-'));
const lines = (path: string) => readFileSync(path, 'utf8').split('\n');
const rotation = (r: Partial<RotationConfig> = {}): RotationConfig => ({
  max_megabytes: 1,
  max_days: 0,
  max_backups: 0,
  localtime: false,
  ...r,
});

const opened: LineFile[] = [];
async function openFile(options: Partial<LineFileOptions> & { path: string }) {
  const file = new LineFile({
    append: false,
    syncIntervalMs: 1000,
    logger: silentLogger(),
    ...options,
  });
  await file.open();
  opened.push(file);
  return file;
}

/** The FileHandle prototype, to make writes fail the way a full disk makes them fail. */
async function fileHandleProto(): Promise<FileHandle> {
  const fh = await open(fileURLToPath(import.meta.url), 'r');
  await fh.close();
  return Object.getPrototypeOf(fh) as FileHandle;
}

type WriteAt = (
  this: FileHandle,
  buf: Buffer,
  offset: number,
  length: number,
  position: number,
) => Promise<{ bytesWritten: number }>;

/** Makes the next write land only its first `landed(length)` bytes, then fail with `error`. */
async function failNextWrite(landed: (length: number) => number, error: Error): Promise<void> {
  const proto = await fileHandleProto();
  const realWrite = proto.write as unknown as WriteAt;
  const failing: WriteAt = async function (buf, _offset, length, position) {
    await realWrite.call(this, buf, 0, landed(length), position);
    throw error;
  };
  vi.spyOn(proto, 'write').mockImplementationOnce(failing as unknown as FileHandle['write']);
}

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(opened.splice(0).map((f) => f.close()));
});

describe('line file', () => {
  it.each([
    [false, ['new', '']],
    [true, ['old', 'new', '']],
  ])('with append %s, truncates or keeps what the file held', async (append, expected) => {
    const path = join(dir(), 'a.json');
    writeFileSync(path, 'old\n');
    const file = await openFile({ path, append });
    await file.append('new');
    expect(lines(path)).toEqual(expected);
  });

  it('starts on a fresh line when a crash left the file without its last newline', async () => {
    const path = join(dir(), 'a.json');
    writeFileSync(path, '{"whole":1}\n{"cut off');
    const file = await openFile({ path, append: true });
    await file.append('{"next":2}');
    expect(lines(path)).toEqual(['{"whole":1}', '{"cut off', '{"next":2}', '']);
  });

  it('never interleaves lines written at the same time, and creates the directory', async () => {
    const path = join(dir(), 'deep', 'er', 'a.json');
    const file = await openFile({ path });
    const sent = Array.from({ length: 300 }, (_, i) => `${i}:${'x'.repeat((i * 7919) % 20000)}`);
    await Promise.all(sent.map((l) => file.append(l)));
    expect(lines(path).slice(0, -1).sort()).toEqual([...sent].sort());
  });

  it('cuts a half-written line off again when the disk fills up, and goes on afterwards', async () => {
    const path = join(dir(), 'a.json');
    const file = await openFile({ path });
    await file.append('first');
    const full = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    await failNextWrite((length) => Math.floor(length / 2), full);
    await expect(file.append('second, which does not fit')).rejects.toMatchObject({
      name: 'RetryableError',
      code: 'ERR_EXPORT_FAILED',
      message: expect.stringContaining('ENOSPC'),
    });
    expect(readFileSync(path, 'utf8')).toBe('first\n');
    await file.append('third');
    expect(lines(path)).toEqual(['first', 'third', '']);
  });

  it('keeps the next line apart when a failed write cannot be cut off', async () => {
    const path = join(dir(), 'a.json');
    const file = await openFile({ path });
    vi.spyOn(await fileHandleProto(), 'truncate').mockRejectedValueOnce(new Error('EIO'));
    await failNextWrite(() => 4, new Error('EIO: i/o error'));
    await expect(file.append('{"lost":true}')).rejects.toThrow(/EIO/);
    await file.append('{"kept":true}');
    expect(lines(path)).toEqual(['{"lo', '{"kept":true}', '']);
  });

  it('forces every write to disk before it resolves when flush_interval is 0', async () => {
    const proto = await fileHandleProto();
    const sync = vi.spyOn(proto, 'datasync');
    const file = await openFile({ path: join(dir(), 'a.json'), syncIntervalMs: 0 });
    await file.append('a');
    await file.append('b');
    expect(sync).toHaveBeenCalledTimes(2);
  });

  it('forces written lines to disk every flush_interval, and on close', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const proto = await fileHandleProto();
      const sync = vi.spyOn(proto, 'datasync');
      const file = await openFile({ path: join(dir(), 'a.json'), syncIntervalMs: 1000 });
      await file.append('a');
      expect(sync).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1000);
      await vi.waitFor(() => expect(sync).toHaveBeenCalledTimes(1));
      vi.advanceTimersByTime(1000); // nothing new written: no sync
      await file.append('b');
      await file.close();
      expect(sync).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses lines after close', async () => {
    const file = await openFile({ path: join(dir(), 'a.json') });
    await file.close();
    await file.close();
    await expect(file.append('late')).rejects.toMatchObject({ code: 'ERR_SHUTTING_DOWN' });
  });
});

describe('line file rotation', () => {
  const MIB = 1024 * 1024;
  const at = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
  const line = (i: number) => `${i}`.padEnd(100 * 1024 - 1, '.'); // 100 KiB with its newline

  it('rotates between lines before passing max_megabytes, naming backups as the Collector', async () => {
    const d = dir();
    const path = join(d, 'traces.json');
    const file = await openFile({ path, rotation: rotation(), now: () => at });
    for (let i = 0; i < 25; i++) await file.append(line(i));
    expect(readdirSync(d).sort()).toEqual([
      'traces-2026-01-02T03-04-05.678.json',
      'traces-2026-01-02T03-04-05.679.json',
      'traces.json',
    ]);
    const first = join(d, 'traces-2026-01-02T03-04-05.678.json');
    expect(statSync(first).size).toBe(10 * 100 * 1024);
    expect(lines(first)[0]).toBe(line(0));
    expect(lines(path)[0]).toBe(line(20));
    expect(statSync(path).size).toBeLessThanOrEqual(MIB);
  });

  it('rotates inside one group of lines written together, losing none', async () => {
    const d = dir();
    const path = join(d, 'traces.json');
    const file = await openFile({ path, rotation: rotation() });
    await Promise.all(Array.from({ length: 25 }, (_, i) => file.append(line(i))));
    const all = readdirSync(d).flatMap((f) => lines(join(d, f)).slice(0, -1));
    expect(all.sort()).toEqual(Array.from({ length: 25 }, (_, i) => line(i)).sort());
    for (const f of readdirSync(d)) expect(statSync(join(d, f)).size).toBeLessThanOrEqual(MIB);
  });

  it('writes a line larger than the limit alone into a fresh file', async () => {
    const d = dir();
    const path = join(d, 'traces.json');
    const file = await openFile({ path, rotation: rotation() });
    await file.append('small');
    await file.append('L'.repeat(MIB + 10));
    await file.append('after');
    expect(readdirSync(d)).toHaveLength(3);
    expect(lines(path)).toEqual(['after', '']);
  });

  it('continues an existing file rather than truncating it, and keeps max_backups', async () => {
    const d = dir();
    const path = join(d, 'traces.json');
    writeFileSync(path, 'from the last run\n');
    let minutes = 0;
    const file = await openFile({
      path,
      rotation: rotation({ max_backups: 2 }),
      now: () => {
        minutes += 1;
        return new Date(at.getTime() + minutes * 60_000);
      },
    });
    expect(lines(path)[0]).toBe('from the last run');
    for (let i = 0; i < 45; i++) await file.append(line(i));
    expect(readdirSync(d).filter((f) => f !== 'traces.json')).toHaveLength(2);
  });
});
