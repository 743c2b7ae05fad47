import { readdirSync, readFileSync } from 'node:fs';
import type { AnyValue, Span } from '../../pdata/traces.js';

/**
 * Test support: the shared Dify fixtures (testdata/fixtures, copied from shared/fixtures/dify)
 * and a readable view of a span's attributes.
 */
export const FIXTURES_DIR = new URL('./testdata/fixtures/', import.meta.url);

export function fixtureText(name: string): string {
  return readFileSync(new URL(name, FIXTURES_DIR), 'utf8');
}

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(fixtureText(name)) as Record<string, unknown>;
}

/** Every trace envelope file (not the node rows, not expected_opik_ids.json). */
export function envelopeFixtures(): string[] {
  return readdirSync(FIXTURES_DIR)
    .filter(
      (f) => f.endsWith('.json') && !f.includes('.node_executions.') && !f.startsWith('expected'),
    )
    .sort();
}

/** The envelope with its node rows beside it, as a forwarder would post a finished run. */
export function withNodes(name: string): Record<string, unknown> {
  const rows = fixture(name.replace('.json', '.node_executions.json')).rows;
  return { ...fixture(name), node_executions: rows };
}

/** What Dify's own Opik integration sends for each fixture (expected_opik_ids.json). */
export interface ExpectedOpik {
  trace?: { id: string; name: string; tags: string[]; thread_id: string | null };
  spans?: Array<{ name: string; id: string; parent_span_id: string | null; tags?: string[] }>;
  span?: { name: string; trace_id: string };
}

export function expectedOpik(name: string): ExpectedOpik {
  return fixture('expected_opik_ids.json')[name] as ExpectedOpik;
}

/** A span's attributes as a plain record (first value of each key). */
export function attrs(span: Span): Record<string, AnyValue> {
  const out: Record<string, AnyValue> = {};
  for (const kv of span.attributes) if (!(kv.key in out)) out[kv.key] = kv.value;
  return out;
}

/** `opik.metadata` decoded. */
export function metadata(span: Span): Record<string, unknown> {
  return JSON.parse(String(attrs(span)['opik.metadata'])) as Record<string, unknown>;
}
