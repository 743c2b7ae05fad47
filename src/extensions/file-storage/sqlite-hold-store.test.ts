import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSpan, makeTraces } from '../../pdata/span.js';
import type { HoldChanges } from '../../storage/hold-store.js';
import { capturingLogger } from '../../testing/senders.js';
import { openDatabase, type SqliteDatabase } from './database.js';
import { SqliteHoldStore } from './sqlite-hold-store.js';

const span = (name: string) =>
  makeTraces([makeSpan({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), name })]);
const none: HoldChanges = { spans: [], groups: [], groupsGone: [], anchors: [], anchorsGone: [] };

const open: SqliteDatabase[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

function store(file = join(mkdtempSync(join(tmpdir(), 'hold-')), 'processor_genai.db')) {
  const { logger, lines } = capturingLogger();
  const db = openDatabase(file, { fsync: false, busyTimeoutMs: 1000, logger });
  open.push(db);
  return { store: new SqliteHoldStore(db, logger), db, lines, file };
}

describe('the hold store in SQLite', () => {
  it('loads back what was written: spans in order, groups by deadline with every fact, live anchors', async () => {
    const { store: s, file } = store();
    const later = Date.now() + 60_000;
    await s.write({
      ...none,
      spans: [
        { key: 'k2', traces: span('second') },
        { key: 'k1', traces: span('first') },
      ],
      groups: [
        { group: 'g2', deadline: later, facts: { 'p:s1': '"s0"' } },
        { group: 'g1', deadline: later - 1, facts: { h: '"run"' } },
      ],
      anchors: [
        { key: 'run:r', value: '{"runId":"r"}', expires: later },
        { key: 'run:old', value: '{}', expires: Date.now() - 1 },
      ],
    });
    await s.write({
      ...none,
      groups: [{ group: 'g2', deadline: later, facts: { 'p:s2': '"s1"' } }],
      anchorsGone: ['run:gone'],
    });
    const again = store(file).store.load();
    expect(
      again.spans.map((r) => [r.key, r.traces.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.name]),
    ).toEqual([
      ['k2', 'second'],
      ['k1', 'first'],
    ]);
    expect(again.groups).toEqual([
      { group: 'g1', deadline: later - 1, facts: { h: '"run"' } },
      { group: 'g2', deadline: later, facts: { 'p:s1': '"s0"', 'p:s2': '"s1"' } },
    ]);
    expect(again.anchors).toEqual([{ key: 'run:r', value: '{"runId":"r"}', expires: later }]);
  });

  it('removes spans and groups with their facts, and forgets anchors', async () => {
    const { store: s, db } = store();
    await s.write({
      ...none,
      spans: [
        { key: 'k1', traces: span('a') },
        { key: 'k2', traces: span('b') },
      ],
      groups: [{ group: 'g', deadline: 1, facts: { h: '"run"' } }],
      anchors: [{ key: 'message:m', value: '{}', expires: Date.now() + 1000 }],
    });
    s.remove(['k1']);
    await s.write({ ...none, groupsGone: ['g'], anchorsGone: ['message:m'] });
    expect(s.load()).toEqual({
      spans: [{ key: 'k2', traces: span('b') }],
      groups: [],
      anchors: [],
    });
    expect(db.prepare('SELECT COUNT(*) AS n FROM hold_facts').get()).toEqual({ n: 0 });
  });

  it('skips and deletes a span that cannot be read back, and says so', async () => {
    const { store: s, db, lines } = store();
    await s.write({ ...none, spans: [{ key: 'k1', traces: span('a') }] });
    db.prepare("INSERT INTO hold_spans (key, payload) VALUES ('bad', x'ffffffff')").run();
    expect(s.load().spans.map((r) => r.key)).toEqual(['k1']);
    expect(lines.some((l) => l.key === 'bad' && String(l.msg).includes('cannot be read'))).toBe(
      true,
    );
    expect(s.load().spans.map((r) => r.key)).toEqual(['k1']);
  });
});
