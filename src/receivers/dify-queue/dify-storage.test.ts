import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DifyStorage } from './dify-storage.js';
import { Outage } from './outage.js';

const task = { taskId: 't', appId: 'app-1', fileId: 'f00d' };

function storageWith(files: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), 'dify-storage-test-'));
  for (const [key, text] of Object.entries(files)) {
    mkdirSync(join(root, key, '..'), { recursive: true });
    writeFileSync(join(root, key), text);
  }
  return { root, storage: new DifyStorage({ type: 'opendal', scheme: 'fs', root }) };
}

describe('DifyStorage', () => {
  it('finds an envelope at ops_trace/<app_id>/<file_id>.json under the root', async () => {
    const { storage } = storageWith({ 'ops_trace/app-1/f00d.json': '{"app_id":"app-1"}' });
    expect(storage.envelopeKey(task)).toBe('ops_trace/app-1/f00d.json');
    expect(await storage.readEnvelope(task)).toBe('{"app_id":"app-1"}');
    await storage.removeEnvelope(task);
    expect(await storage.readEnvelope(task)).toMatchObject({ reason: 'file_missing' });
    await expect(storage.removeEnvelope(task)).resolves.toBeUndefined();
  });

  it('takes a relative root from the current directory, as OpenDAL does from Dify’s', () => {
    expect(new DifyStorage({ type: 'local', root: 'storage' }).root).toBe(resolve('storage'));
  });

  it('calls a root that is not there an outage, not a missing file', async () => {
    const { root, storage } = storageWith({});
    rmSync(root, { recursive: true });
    await expect(storage.readEnvelope(task)).rejects.toBeInstanceOf(Outage);
  });

  it('reads no key outside the root', async () => {
    const { storage } = storageWith({});
    for (const key of ['../x.json', '/etc/passwd', 'upload_files/../../x']) {
      expect(await storage.read(key)).toMatchObject({ reason: 'file_unreadable' });
    }
  });

  it('says a file that cannot be read is unreadable', async () => {
    const { storage } = storageWith({ 'ops_trace/app-1/f00d.json/inner': 'x' });
    expect(await storage.readEnvelope(task)).toMatchObject({ reason: 'file_unreadable' });
  });
});
