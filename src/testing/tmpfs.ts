import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A small tmpfs of its own: a disk that really fills up, and really gets room again. */
export interface Tmpfs {
  readonly dir: string;
  /** Changes its size (remount): larger is "space came back". */
  resize(kib: number): void;
  unmount(): void;
}

/**
 * Mounts a tmpfs of `kib` KiB on a fresh directory. Needs root (the tests run as root, as `.ci/run`
 * does); `unmount` cleans up, lazily if something still holds a file open.
 */
export function mountTmpfs(kib: number): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), 'tmpfs-'));
  const mount = (options: string) =>
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
  try {
    mount(`size=${kib}k`);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `cannot mount a tmpfs (the disk-full tests need root): ${(err as { stderr?: Buffer }).stderr?.toString().trim() ?? err}`,
    );
  }
  let mounted = true;
  return {
    dir,
    resize: (size) => mount(`remount,size=${size}k`),
    unmount() {
      if (!mounted) return;
      mounted = false;
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
