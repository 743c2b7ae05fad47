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
});
