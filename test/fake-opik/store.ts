import type { JsonValue } from './attribute-mapper.js';

/** A trace or span as the fake keeps it: Opik's snake_case fields, times as ISO-8601 ms. */
export type Row = { [field: string]: JsonValue | undefined } & {
  id: string;
  project_name: string;
  last_updated_at: string;
};

/**
 * Opik's ClickHouse tables in miniature: rows keyed by (workspace, project, id), where a write
 * replaces the row when its `last_updated_at` is at least the stored one (ReplacingMergeTree on
 * `last_updated_at`), and project names match case-insensitively, ignoring surrounding spaces.
 */
export class FakeStore {
  private readonly tables = { traces: new Map<string, Row>(), spans: new Map<string, Row>() };
  private readonly projectNames = new Map<string, string>();

  /** The project's display name, created on first use (Opik's get-or-create). */
  project(workspace: string, name: string): string {
    const key = `${workspace}|${name.trim().toLowerCase()}`;
    let display = this.projectNames.get(key);
    if (!display) {
      display = name.trim();
      this.projectNames.set(key, display);
    }
    return display;
  }

  upsert(table: 'traces' | 'spans', workspace: string, row: Row): void {
    const key = this.key(workspace, row.project_name, row.id);
    const old = this.tables[table].get(key);
    if (old && Date.parse(old.last_updated_at) > Date.parse(row.last_updated_at)) return;
    this.tables[table].set(key, row);
  }

  get(table: 'traces' | 'spans', workspace: string, id: string): Row | undefined {
    for (const [key, row] of this.tables[table]) {
      if (key.startsWith(`${workspace}|`) && row.id === id) return row;
    }
    return undefined;
  }

  /** The trace `id` under another project of the workspace, if there is one. */
  traceElsewhere(workspace: string, project: string, id: string): Row | undefined {
    const row = this.get('traces', workspace, id);
    return row && row.project_name.toLowerCase() !== project.toLowerCase() ? row : undefined;
  }

  delete(table: 'traces' | 'spans', workspace: string, ids: readonly string[]): void {
    for (const [key, row] of this.tables[table]) {
      if (key.startsWith(`${workspace}|`) && ids.includes(row.id)) this.tables[table].delete(key);
    }
  }

  /** Every row of a table (optionally one project's), sorted by id. */
  rows(table: 'traces' | 'spans', project?: string): Row[] {
    return [...this.tables[table].values()]
      .filter(
        (r) => project === undefined || r.project_name.toLowerCase() === project.toLowerCase(),
      )
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  private key(workspace: string, project: string, id: string): string {
    return `${workspace}|${project.trim().toLowerCase()}|${id}`;
  }
}
