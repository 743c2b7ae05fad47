import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeSpan, makeTraces } from '../../pdata/span.js';
import { silentLogger } from '../../telemetry/logger.js';
import { openDatabase } from './database.js';
import { SqliteQueueStore } from './sqlite-queue-store.js';

const one = (name: string) =>
  makeTraces([makeSpan({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), name })]);

describe('SqliteQueueStore', () => {
  it('commits concurrent puts together and acknowledges each only after the commit', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'queue-')), 'q.db');
    const db = openDatabase(file, { fsync: true, busyTimeoutMs: 1000, logger: silentLogger() });
    const store = new SqliteQueueStore(db, { logger: silentLogger() });
    const puts = Array.from({ length: 50 }, (_, i) =>
      store.put([{ traces: one(`p${i}`), items: 1, bytes: 0 }]),
    );
    expect((db.prepare('SELECT COUNT(*) AS n FROM queue').get() as { n: number }).n).toBe(0);
    await Promise.all(puts);
    expect((db.prepare('SELECT COUNT(*) AS n FROM queue').get() as { n: number }).n).toBe(50);
    expect(store.totals).toEqual({ requests: 50, items: 50, bytes: expect.any(Number) });
    db.close();
  });

  it('hands out what it put from memory, and what an earlier process put from the file, alike', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'queue-')), 'q.db');
    const open = () =>
      openDatabase(file, { fsync: true, busyTimeoutMs: 1000, logger: silentLogger() });
    const db = open();
    const store = new SqliteQueueStore(db, { logger: silentLogger() });
    const put = one('kept');
    await store.put([{ traces: put, items: 1, bytes: 0 }]);
    await store.put([{ traces: one('left'), items: 1, bytes: 0 }]);
    const [fresh] = store.take(1);
    expect(fresh!.traces).toBe(put); // not read back
    store.remove([fresh!.seq]);
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL again after the deletion
    db.close();

    const again = new SqliteQueueStore(open(), { logger: silentLogger() });
    const taken = again.take(10);
    expect(taken.map((e) => e.traces.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.name)).toEqual([
      'left',
    ]);
    expect(again.totals).toMatchObject({ requests: 1, items: 1 });
  });
});
