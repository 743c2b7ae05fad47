import type { RecentTrace } from '../../component/details.js';
import type { Payload } from './payload.js';

/** Where a person sees an exporter's data in Opik's UI. */
export interface OpikLinks {
  /** The project's page (`{ui}/{workspace}/redirect/projects?name=…`, as Opik's SDKs link it). */
  readonly project: string;
  /** One trace, through the backend's redirect that finds its project (as Opik's TS SDK links it). */
  trace(id: string): string;
}

/**
 * Opik's UI is its API base without `/api`: `http://localhost:5173`, `https://www.comet.com/opik`.
 * Credentials in the endpoint (`http://user:password@host`) stay out of every link.
 */
export function opikLinks(endpoint: string, workspace: string, projectName: string): OpikLinks {
  endpoint = withoutCredentials(endpoint);
  const ui = endpoint.replace(/\/+$/, '').replace(/\/api$/, '');
  const path = encodeURIComponent(Buffer.from(endpoint).toString('base64'));
  return {
    project: `${ui}/${encodeURIComponent(workspace || 'default')}/redirect/projects?name=${encodeURIComponent(projectName)}`,
    trace: (id) =>
      `${ui}/api/v1/session/redirect/projects/?trace_id=${encodeURIComponent(id)}&path=${path}`,
  };
}

function withoutCredentials(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.username === '' && url.password === '') return endpoint;
  url.username = '';
  url.password = '';
  return url.toString();
}

interface Entry {
  name: string;
  named: boolean;
  spans: number;
  error: boolean;
  time: number;
}

/**
 * The traces an exporter delivered lately, newest first, for the status page: name, spans
 * delivered so far, whether one of them failed, and a link. A trace whose spans come in several
 * batches is one entry.
 */
export class RecentTraces {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly links: OpikLinks,
    private readonly limit = 20,
    private readonly now: () => number = Date.now,
  ) {}

  record(payload: Payload): void {
    const time = this.now();
    const rows = new Map(payload.traces.map((t) => [t.opik.id, t]));
    const setAside =
      payload.refused.length > 0 ? new Set(payload.refused.map((r) => r.item.id)) : undefined;
    // Spans of one trace mostly follow each other: the entry is moved to the end once per run.
    let current: Entry | undefined;
    let currentId = '';
    for (const s of payload.spans) {
      if (setAside?.has(s.ref.id)) continue;
      const id = s.ref.trace_id;
      if (current === undefined || id !== currentId) {
        current = this.entries.get(id) ?? {
          name: s.ref.name,
          named: false,
          spans: 0,
          error: false,
          time,
        };
        const row = rows.get(id);
        if (row && !row.placeholder && !current.named) {
          current.name = row.opik.name;
          current.named = true;
        }
        current.time = time;
        currentId = id;
        this.entries.delete(id);
        this.entries.set(id, current);
      }
      current.spans++;
      current.error ||= s.ref.error;
    }
    for (const id of this.entries.keys()) {
      if (this.entries.size <= this.limit) break;
      this.entries.delete(id);
    }
  }

  list(): RecentTrace[] {
    return [...this.entries].reverse().map(([id, e]) => ({
      id,
      name: e.name,
      spans: e.spans,
      status: e.error ? 'error' : 'ok',
      time: new Date(e.time).toISOString(),
      url: this.links.trace(id),
    }));
  }
}
