import { basename, dirname, extname, join } from 'node:path';

/**
 * Names of rotated files, as the Collector's rotation (lumberjack) writes them:
 * `traces.json` rotated at 2026-01-02 03:04:05.678 becomes `traces-2026-01-02T03-04-05.678.json`,
 * in UTC unless `localtime`. `parse` reads such a name back, so old backups can be found and aged.
 */
export class BackupNames {
  private readonly dir: string;
  private readonly prefix: string;
  private readonly ext: string;

  constructor(
    path: string,
    private readonly localtime: boolean,
  ) {
    this.dir = dirname(path);
    this.ext = extname(path);
    this.prefix = `${basename(path, this.ext)}-`;
  }

  get directory(): string {
    return this.dir;
  }

  /** The path of a backup made at `time`. */
  format(time: Date): string {
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    const t = this.localtime
      ? [
          time.getFullYear(),
          time.getMonth() + 1,
          time.getDate(),
          time.getHours(),
          time.getMinutes(),
          time.getSeconds(),
          time.getMilliseconds(),
        ]
      : [
          time.getUTCFullYear(),
          time.getUTCMonth() + 1,
          time.getUTCDate(),
          time.getUTCHours(),
          time.getUTCMinutes(),
          time.getUTCSeconds(),
          time.getUTCMilliseconds(),
        ];
    const [y, mo, d, h, mi, s, ms] = t as [number, number, number, number, number, number, number];
    const stamp = `${p(y, 4)}-${p(mo)}-${p(d)}T${p(h)}-${p(mi)}-${p(s)}.${p(ms, 3)}`;
    return join(this.dir, `${this.prefix}${stamp}${this.ext}`);
  }

  /** When the backup named `file` (a name in the directory) was made, or undefined if it is not one. */
  parse(file: string): Date | undefined {
    if (!file.startsWith(this.prefix) || !file.endsWith(this.ext)) return undefined;
    const stamp = file.slice(this.prefix.length, file.length - this.ext.length);
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})\.(\d{3})$/.exec(stamp);
    if (!m) return undefined;
    const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const time = this.localtime
      ? new Date(y, mo - 1, d, h, mi, s, ms)
      : new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
    // Dates overflow silently (month 13 is next January): only a name that formats back counts.
    return basename(this.format(time)) === file ? time : undefined;
  }
}
