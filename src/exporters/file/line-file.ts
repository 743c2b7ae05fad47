import { access, type FileHandle, mkdir, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { errorMessage, RetryableError } from '../../errors/errors.js';
import { BackupNames } from './backup-name.js';
import type { RotationConfig } from './config.js';
import { pruneBackups } from './prune-backups.js';

export interface LineFileOptions {
  readonly path: string;
  /** Keep the file's content at open (a rotated file is always kept). */
  readonly append: boolean;
  readonly rotation?: RotationConfig;
  /** Milliseconds between fsyncs of written lines; 0 syncs before each write resolves. */
  readonly syncIntervalMs: number;
  readonly logger: Logger;
  readonly now?: () => Date;
}

interface Entry {
  readonly line: Buffer;
  resolve(): void;
  reject(err: unknown): void;
}

const NEWLINE = Buffer.from('\n');
const MIB = 1024 * 1024;
const noop = () => {};

/**
 * A file of whole lines. `append` resolves once its line is in the file (a write(2), so it
 * survives a crash of this process) and rejects if it is not; a rejected line leaves no bytes.
 *
 * - Lines never interleave: one operation at a time runs against the file, and lines offered
 *   while a write is running go out together in the next write (group commit).
 * - A failed write (disk full) is cut off again with ftruncate, so no partial line is left for
 *   the next line to be glued to. If even that fails, the next write starts with a newline, so
 *   only the fragment is lost, never a good line; the same holds for a file that a crash left
 *   without a final newline.
 * - Rotation happens between lines, before a write would pass `max_megabytes`.
 */
export class LineFile {
  private fh: FileHandle | undefined;
  /** Bytes in the file that end on a line boundary (or with a fragment when `needsNewline`). */
  private size = 0;
  private needsNewline = false;
  private dirty = false;
  private queue: Entry[] = [];
  private drainScheduled = false;
  private syncScheduled = false;
  private tail: Promise<void> = Promise.resolve();
  private syncTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private lastBackupMs = 0;
  private readonly names: BackupNames | undefined;
  private readonly maxBytes: number;
  private readonly now: () => Date;

  constructor(private readonly options: LineFileOptions) {
    const { rotation } = options;
    this.names = rotation ? new BackupNames(options.path, rotation.localtime) : undefined;
    this.maxBytes = rotation ? rotation.max_megabytes * MIB : Number.POSITIVE_INFINITY;
    this.now = options.now ?? (() => new Date());
  }

  /** Opens (creating directories), truncating unless `append` or rotation keeps the content. */
  async open(): Promise<void> {
    const { path, append, rotation, syncIntervalMs } = this.options;
    await mkdir(dirname(path), { recursive: true });
    this.fh = await open(path, append || rotation ? 'a+' : 'w+');
    this.size = (await this.fh.stat()).size;
    this.needsNewline = this.size > 0 && !(await this.endsWithNewline(this.fh, this.size));
    if (syncIntervalMs > 0) {
      this.syncTimer = setInterval(() => this.scheduleSync(), syncIntervalMs);
      this.syncTimer.unref();
    }
    await this.prune();
  }

  /** Appends `line` (which must hold no newline) and a newline. */
  append(line: string): Promise<void> {
    if (this.closing !== undefined) {
      return Promise.reject(
        new RetryableError('ERR_SHUTTING_DOWN', `file ${this.options.path} is closed`),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ line: Buffer.from(`${line}\n`), resolve, reject });
      if (this.drainScheduled) return;
      this.drainScheduled = true;
      this.background(() => this.drain());
    });
  }

  /** Writes what is queued, forces it to disk and closes the file. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.syncTimer);
      await this.exclusive(async () => {
        const fh = this.fh;
        this.fh = undefined;
        if (!fh) return;
        try {
          if (this.dirty) await fh.datasync();
        } finally {
          await fh.close();
        }
      });
    })();
    return this.closing;
  }

  private async drain(): Promise<void> {
    this.drainScheduled = false;
    const entries = this.queue;
    this.queue = [];
    let done = 0;
    try {
      if (!this.fh) throw new Error('the file is not open (the exporter was not started)');
      while (done < entries.length) {
        const chunk = await this.nextChunk(entries, done);
        await this.writeLines(chunk.map((e) => e.line));
        for (const e of chunk) e.resolve();
        done += chunk.length;
      }
    } catch (err) {
      const failure = new RetryableError(
        'ERR_EXPORT_FAILED',
        `cannot write ${this.options.path}: ${errorMessage(err)}`,
        {},
        { cause: err },
      );
      for (const e of entries.slice(done)) e.reject(failure);
    }
  }

  /** The next run of lines that fits before rotation, rotating first if the file is full. */
  private async nextChunk(entries: readonly Entry[], from: number): Promise<Entry[]> {
    if (this.size > 0 && this.size + entries[from]!.line.length > this.maxBytes) {
      await this.rotate();
    }
    let end = from + 1; // a line larger than the limit still goes out, alone in a fresh file
    let bytes = this.size + entries[from]!.line.length;
    while (end < entries.length && bytes + entries[end]!.line.length <= this.maxBytes) {
      bytes += entries[end]!.line.length;
      end += 1;
    }
    return entries.slice(from, end);
  }

  private async writeLines(lines: Buffer[]): Promise<void> {
    const fh = this.fh!;
    const buf = Buffer.concat(this.needsNewline ? [NEWLINE, ...lines] : lines);
    const start = this.size;
    try {
      for (let off = 0; off < buf.length; ) {
        const { bytesWritten } = await fh.write(buf, off, buf.length - off, start + off);
        off += bytesWritten;
      }
      if (this.options.syncIntervalMs === 0) await fh.datasync();
    } catch (err) {
      await this.cutBack(fh, start);
      throw err;
    }
    this.size = start + buf.length;
    this.needsNewline = false;
    this.dirty = this.options.syncIntervalMs > 0;
  }

  /** Removes the bytes of a failed write; if that fails, keeps the next line apart from them. */
  private async cutBack(fh: FileHandle, start: number): Promise<void> {
    try {
      await fh.truncate(start);
    } catch (err) {
      this.needsNewline = true;
      this.size = await fh.stat().then(
        (s) => s.size,
        () => start,
      );
      this.options.logger.warn(
        { err, path: this.options.path },
        'could not cut a failed write off the file; the next line starts on a new line',
      );
    }
  }

  /** Renames the file to its backup name and continues in a fresh one. */
  private async rotate(): Promise<void> {
    const { path } = this.options;
    const old = this.fh!;
    if (this.dirty) await old.datasync();
    const backup = await this.freeBackupName();
    await rename(path, backup);
    let fresh: FileHandle;
    try {
      fresh = await open(path, 'a+');
    } catch (err) {
      await rename(backup, path).catch(noop);
      throw err;
    }
    this.fh = fresh;
    this.size = 0;
    this.needsNewline = false;
    this.dirty = false;
    await old.close().catch(noop);
    await this.prune();
  }

  /** A backup name not taken yet: rotations within one millisecond get the next millisecond. */
  private async freeBackupName(): Promise<string> {
    let ms = Math.max(this.now().getTime(), this.lastBackupMs + 1);
    for (; ; ms++) {
      const name = this.names!.format(new Date(ms));
      const taken = await access(name).then(
        () => true,
        () => false,
      );
      if (!taken) {
        this.lastBackupMs = ms;
        return name;
      }
    }
  }

  private async prune(): Promise<void> {
    if (!this.names || !this.options.rotation) return;
    try {
      await pruneBackups(this.names, this.options.rotation, this.now());
    } catch (err) {
      this.options.logger.warn(
        { err, path: this.options.path },
        'could not remove old rotated files',
      );
    }
  }

  private scheduleSync(): void {
    if (!this.dirty || this.syncScheduled || this.closing !== undefined) return;
    this.syncScheduled = true;
    this.background(async () => {
      this.syncScheduled = false;
      if (!this.dirty || !this.fh) return;
      this.dirty = false;
      try {
        await this.fh.datasync();
      } catch (err) {
        this.dirty = true;
        this.options.logger.warn(
          { err, path: this.options.path },
          'could not sync the file to disk',
        );
      }
    });
  }

  private async endsWithNewline(fh: FileHandle, size: number): Promise<boolean> {
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, size - 1);
    return last[0] === NEWLINE[0];
  }

  /** Runs `fn` after every operation queued before it: one operation at a time on the file. */
  private exclusive(fn: () => Promise<void>): Promise<void> {
    const run = this.tail.then(fn);
    this.tail = run.catch(noop);
    return run;
  }

  private background(fn: () => Promise<void>): void {
    this.exclusive(fn).catch((err: unknown) => {
      this.options.logger.error({ err, path: this.options.path }, 'file operation failed');
    });
  }
}
