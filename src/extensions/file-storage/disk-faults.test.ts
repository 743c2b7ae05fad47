/**
 * `file_storage` on a disk that fills up (a real tmpfs) and with rows damaged on disk: stores
 * refuse what they cannot write with ERR_STORAGE_UNAVAILABLE, never throw where their user cannot
 * act, keep what they hold, and work again once there is room.
 */
import { mkdtempSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSpan, makeTraces } from '../../pdata/span.js';
import type { QueueStore } from '../../storage/queue-store.js';
import { StorageUnavailableError } from '../../storage/unavailable.js';
import { capturingLogger } from '../../testing/senders.js';
import { TestHost, testSettings } from '../../testing/settings.js';
import { metricValue } from '../../testing/storage-host.js';
import { mountTmpfs, type Tmpfs } from '../../testing/tmpfs.js';
import { fileStorageConfigSchema } from './config.js';
import { createFileStorage } from './file-storage.js';

const OWNER = { kind: 'exporter', id: 'opik' } as const;
const request = (name: string, bulk = 0) => ({
  traces: makeTraces([
    makeSpan({
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      name,
      attributes: bulk ? [{ key: 'bulk', value: 'x'.repeat(bulk) }] : [],
    }),
  ]),
  items: 1,
  bytes: 0,
});

let disk: Tmpfs | undefined;
const open: Array<{ shutdown(): Promise<void> }> = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.shutdown();
  disk?.unmount();
  disk = undefined;
});

async function storage(directory: string) {
  const { logger, lines } = capturingLogger();
  const settings = { ...testSettings('extension', 'file_storage'), logger };
  const s = createFileStorage(
    settings,
    fileStorageConfigSchema.parse({
      directory,
      create_directory: true,
      fsync: false,
      timeout: '1s',
    }),
  );
  await s.start(new TestHost());
  open.push(s);
  return { s, lines, settings };
}

/** Puts requests until the store refuses one; returns how many it took and the refusal. */
async function fill(queue: QueueStore): Promise<{ taken: number; refusal: unknown }> {
  for (let i = 0; i < 10_000; i++) {
    const refusal = await queue.put([request(`r${i}`, 4000)]).catch((e: unknown) => e);
    if (refusal) return { taken: i, refusal };
  }
  throw new Error('the disk never filled');
}

describe('file_storage on a full disk', () => {
  it('refuses puts, hands out and keeps what it holds, and deletes delivered rows once there is room', async () => {
    disk = mountTmpfs(256);
    const { s } = await storage(disk.dir);
    const queue = s.queueStore(OWNER);
    const { taken, refusal } = await fill(queue);
    expect(taken).toBeGreaterThan(5);
    expect(refusal).toBeInstanceOf(StorageUnavailableError);
    expect((refusal as Error).message).toBe(
      'the sending queue cannot store the data: database or disk is full',
    );
    expect(queue.totals.requests).toBe(taken);

    // Delivered, but SQLite has no room even to delete: nothing throws, nothing is lost.
    const entries = queue.take(Number.POSITIVE_INFINITY);
    expect(entries).toHaveLength(taken);
    expect(() => queue.remove(entries.map((e) => e.seq))).not.toThrow();
    expect(queue.totals.requests).toBe(taken);

    disk.resize(4096);
    await queue.put([request('after')]);
    expect(queue.totals.requests).toBe(1);
    expect(
      queue.take(10).map((e) => e.traces.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.name),
    ).toEqual(['after']);
  });

  it('the id store refuses while the disk is full, keeps what it stored, and works again after', async () => {
    disk = mountTmpfs(256);
    const { s } = await storage(disk.dir);
    const ids = s.idStore(OWNER, { ttlMs: 60_000, maxEntries: 100, namespace: 'ws|p' });
    await ids.putIfAbsent('trace_timestamp', new Map([['t1', '1767225600123']]));
    const filler = join(disk.dir, 'filler');
    try {
      writeFileSync(filler, Buffer.alloc(1024 * 1024));
    } catch {
      // ENOSPC: the disk is full, as wanted
    }
    const many = new Map(Array.from({ length: 2000 }, (_, i) => [`t${i + 2}`, `${i}`.repeat(20)]));
    await expect(ids.putIfAbsent('trace_timestamp', many)).rejects.toMatchObject({
      code: 'ERR_STORAGE_UNAVAILABLE',
    });
    unlinkSync(filler);
    expect(await ids.get('trace_timestamp', ['t1', 't2'])).toEqual(
      new Map([['t1', '1767225600123']]),
    );
    await ids.putIfAbsent('trace_timestamp', new Map([['t2', '7']]));
    expect(await ids.get('trace_timestamp', ['t2'])).toEqual(new Map([['t2', '7']]));
  });
});

describe('file_storage with damaged rows', () => {
  it('sets aside a queue row it cannot read (moved, logged, counted) and hands out the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs-'));
    const first = await storage(dir);
    const queue = first.s.queueStore(OWNER);
    for (const name of ['one', 'two', 'three']) await queue.put([request(name)]);
    await first.s.shutdown();
    const db = new Database(join(dir, 'exporter_opik.db'));
    db.prepare("UPDATE queue SET payload = x'0a05ffffffffff' WHERE seq = 2").run();
    db.close();

    const { s, lines, settings } = await storage(dir);
    const again = s.queueStore(OWNER);
    expect(again.totals.requests).toBe(3);
    const names = again
      .take(10)
      .map((e) => e.traces.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.name);
    expect(names).toEqual(['one', 'three']);
    expect(again.totals.requests).toBe(2);
    expect(
      lines.find((l) => String(l.msg).startsWith('a stored request cannot be read')),
    ).toMatchObject({
      level: 50,
      seq: 2,
      msg: 'a stored request cannot be read and is not delivered; it was moved to the table queue_set_aside of the same file',
    });
    expect(
      await metricValue(settings, 'otelcol_storage_set_aside_records_total', {
        owner: 'exporter/opik',
      }),
    ).toBe(1);
    await s.shutdown();
    const check = new Database(join(dir, 'exporter_opik.db'), { readonly: true });
    expect(check.prepare('SELECT seq, reason FROM queue_set_aside').all()).toEqual([
      { seq: 2, reason: expect.stringMatching(/./) },
    ]);
    check.close();
  });

  it('takes an id row whose value is damaged for none, and replaces it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs-'));
    const options = { ttlMs: 60_000, maxEntries: 100, namespace: 'ws|p' };
    const first = await storage(dir);
    await first.s.idStore(OWNER, options).putIfAbsent('opik_trace', new Map([['t', 'x']]));
    await first.s.shutdown();
    const db = new Database(join(dir, 'exporter_opik.db'));
    db.prepare("UPDATE opik_id_log SET value = x'00ff'").run();
    db.close();
    const { s } = await storage(dir);
    const ids = s.idStore(OWNER, options);
    expect(await ids.get('opik_trace', ['t'])).toEqual(new Map());
    expect(await ids.putIfAbsent('opik_trace', new Map([['t', 'y']]))).toEqual(
      new Map([['t', 'y']]),
    );
  });
});
