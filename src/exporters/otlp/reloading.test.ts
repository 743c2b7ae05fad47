import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tlsClientSchema } from '../../config/tls.js';
import { Reloading } from './reloading.js';

describe('Reloading', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reload-'));
  const ca = join(dir, 'ca.pem');

  function setup(intervalMs: number) {
    writeFileSync(ca, 'first');
    let t = 0;
    const built: Array<{ n: number; closed: boolean; close(): void }> = [];
    const errors: unknown[] = [];
    const r = new Reloading(
      () => {
        const c = {
          n: built.length + 1,
          closed: false,
          close() {
            c.closed = true;
          },
        };
        built.push(c);
        return c;
      },
      tlsClientSchema.parse({ ca_file: ca, reload_interval: intervalMs }),
      { warn: (fields: unknown) => void errors.push(fields) } as never,
      () => t,
    );
    return { r, built, errors, advance: (ms: number) => (t += ms) };
  }

  it('rebuilds only when the interval passed and the files changed, closing the old client', () => {
    const { r, built, advance } = setup(1000);
    expect(r.get().n).toBe(1);
    advance(1000);
    expect(r.get().n).toBe(1); // same files: same client, same connections
    writeFileSync(ca, 'renewed');
    advance(500);
    expect(r.get().n).toBe(1); // not yet time to look
    advance(500);
    expect(r.get().n).toBe(2);
    expect(built[0]!.closed).toBe(true);
  });

  it('keeps the current client when the files cannot be read, and says so', () => {
    const { r, errors, advance } = setup(10);
    expect(r.get().n).toBe(1);
    rmSync(ca);
    advance(10);
    expect(r.get().n).toBe(1);
    expect(JSON.stringify(errors[0])).toMatch(/ENOENT/);
  });

  it('with reload_interval 0 reads the files once', () => {
    const { r, advance } = setup(0);
    r.get();
    writeFileSync(ca, 'renewed');
    advance(1e9);
    expect(r.get().n).toBe(1);
  });
});
