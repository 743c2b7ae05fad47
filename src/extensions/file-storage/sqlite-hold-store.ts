import type { Logger } from 'pino';
import { errorMessage } from '../../errors/errors.js';
import { decodeTracesRequest, encodeTracesRequest } from '../../otlp/proto-codec.js';
import type {
  HoldAnchorRecord,
  HoldChanges,
  HoldContents,
  HoldGroupRecord,
  HoldSpanRecord,
  HoldStore,
} from '../../storage/hold-store.js';
import { StorageUnavailableError } from '../../storage/unavailable.js';
import type { SqliteDatabase } from './database.js';

/**
 * A processor's hold in its SQLite file (`file_storage`): held spans as OTLP protobuf (as the
 * queue stores requests), the hold's groups (deadline, facts) and anchors as JSON. Each write is one transaction,
 * committed before `write` resolves. Spans whose deletion failed (SQLite needs room in its log
 * even to delete) are deleted with the next write that succeeds; a restart before then loads
 * them again. A row that cannot be read back is skipped, logged, and deleted.
 */
export class SqliteHoldStore implements HoldStore {
  private readonly undeleted = new Set<string>();
  private readonly apply;
  private readonly deleteSpans;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly logger: Logger,
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS hold_spans (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      key TEXT NOT NULL UNIQUE,
      payload BLOB NOT NULL
    );
    CREATE TABLE IF NOT EXISTS hold_groups (
      grp TEXT PRIMARY KEY,
      deadline INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS hold_facts (
      grp TEXT NOT NULL,
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (grp, key)
    );
    CREATE TABLE IF NOT EXISTS hold_anchors (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      expires_at INTEGER NOT NULL
    )`);
    const insertSpan = db.prepare('INSERT OR REPLACE INTO hold_spans (key, payload) VALUES (?, ?)');
    const deleteSpan = db.prepare('DELETE FROM hold_spans WHERE key = ?');
    const upsertGroup = db.prepare(
      'INSERT OR REPLACE INTO hold_groups (grp, deadline) VALUES (?, ?)',
    );
    const upsertFact = db.prepare(
      'INSERT OR REPLACE INTO hold_facts (grp, key, value) VALUES (?, ?, ?)',
    );
    const deleteGroup = db.prepare('DELETE FROM hold_groups WHERE grp = ?');
    const deleteFacts = db.prepare('DELETE FROM hold_facts WHERE grp = ?');
    const upsertAnchor = db.prepare(
      'INSERT OR REPLACE INTO hold_anchors (key, value, expires_at) VALUES (?, ?, ?)',
    );
    const deleteAnchor = db.prepare('DELETE FROM hold_anchors WHERE key = ?');
    const pruneAnchors = db.prepare('DELETE FROM hold_anchors WHERE expires_at <= ?');
    this.deleteSpans = db.transaction((keys: Iterable<string>) => {
      for (const key of keys) deleteSpan.run(key);
    });
    this.apply = db.transaction(
      (c: HoldChanges, payloads: readonly Uint8Array[], undeleted: readonly string[]) => {
        for (const key of undeleted) deleteSpan.run(key);
        for (const [i, s] of c.spans.entries()) insertSpan.run(s.key, payloads[i]);
        for (const g of c.groupsGone) {
          deleteGroup.run(g);
          deleteFacts.run(g);
        }
        for (const g of c.groups) {
          upsertGroup.run(g.group, g.deadline);
          for (const [key, value] of Object.entries(g.facts)) upsertFact.run(g.group, key, value);
        }
        for (const a of c.anchors) upsertAnchor.run(a.key, a.value, a.expires);
        for (const key of c.anchorsGone) deleteAnchor.run(key);
        pruneAnchors.run(Date.now());
      },
    );
  }

  load(): HoldContents {
    try {
      return this.read();
    } catch (err) {
      throw new StorageUnavailableError('the hold cannot read its store', err);
    }
  }

  private read(): HoldContents {
    const spans: HoldSpanRecord[] = [];
    const damaged: string[] = [];
    const rows = this.db
      .prepare('SELECT key, payload FROM hold_spans ORDER BY seq')
      .all() as Array<{
      key: string;
      payload: unknown;
    }>;
    for (const row of rows) {
      try {
        if (!(row.payload instanceof Uint8Array)) throw new Error('its payload is not bytes');
        spans.push({ key: row.key, traces: decodeTracesRequest(row.payload) });
      } catch (err) {
        damaged.push(row.key);
        this.logger.error(
          { key: row.key, reason: errorMessage(err).slice(0, 500) },
          'a held span stored by the genai processor cannot be read and is not delivered; it is deleted',
        );
      }
    }
    this.remove(damaged);
    const facts = new Map<string, Record<string, string>>();
    const factRows = this.db.prepare('SELECT grp, key, value FROM hold_facts').all() as Array<{
      grp: string;
      key: string;
      value: string;
    }>;
    for (const f of factRows) {
      let of = facts.get(f.grp);
      if (!of) {
        of = {};
        facts.set(f.grp, of);
      }
      of[f.key] = f.value;
    }
    const groupRows = this.db
      .prepare('SELECT grp, deadline FROM hold_groups ORDER BY deadline')
      .all() as Array<{ grp: string; deadline: number }>;
    const groups: HoldGroupRecord[] = groupRows.map((g) => ({
      group: g.grp,
      deadline: g.deadline,
      facts: facts.get(g.grp) ?? {},
    }));
    const anchors = this.db
      .prepare(
        'SELECT key, value, expires_at AS expires FROM hold_anchors WHERE expires_at > ? ORDER BY expires_at',
      )
      .all(Date.now()) as HoldAnchorRecord[];
    return { spans, groups, anchors };
  }

  async write(changes: HoldChanges): Promise<void> {
    const payloads = changes.spans.map((s) => encodeTracesRequest(s.traces));
    const undeleted = [...this.undeleted];
    try {
      this.apply(changes, payloads, undeleted);
    } catch (err) {
      throw new StorageUnavailableError('the hold cannot store the spans', err);
    }
    for (const key of undeleted) this.undeleted.delete(key);
  }

  remove(spanKeys: readonly string[]): void {
    if (spanKeys.length === 0) return;
    try {
      this.deleteSpans(spanKeys);
    } catch (err) {
      for (const key of spanKeys) this.undeleted.add(key);
      this.logger.warn(
        { spans: spanKeys.length, error: errorMessage(err) },
        'cannot delete released spans from the hold store (is the disk full?); they stay until a later write succeeds, and are released again if the collector restarts first',
      );
    }
  }

  close(): void {}
}
