import { describe, expect, it } from 'vitest';
import type { OpikSpan, OpikTrace } from './opik-types.js';
import type { Payload, SpanEntry, TraceEntry } from './payload.js';
import { opikLinks, RecentTraces } from './recent-traces.js';

const T = '0199e0b3-5b1a-7000-8000-00000000000';

function span(trace: string, id: string, name: string, error = false): SpanEntry {
  const opik = {
    id,
    trace_id: trace,
    name,
    ...(error ? { error_info: { exception_type: 'Error', traceback: '' } } : {}),
  } as OpikSpan;
  return {
    ref: { id, trace_id: trace, name, project_name: 'P', startMs: 0, hasUsage: false, error },
    opik,
    otlp: () => ({ blocker: 'not sent in this test' }),
    done: true,
  };
}
const row = (id: string, name: string, placeholder = false): TraceEntry => ({
  opik: { id, name } as OpikTrace,
  placeholder,
  done: true,
});
const payload = (spans: SpanEntry[], traces: TraceEntry[] = []): Payload => ({
  spans,
  traces,
  standIns: [],
  updates: [],
  refused: [],
  deadLetteredSpans: 0,
});

describe('recent traces', () => {
  const links = opikLinks('http://localhost:5173/api', 'default', 'Dify app');
  let now = 1_000;
  const recent = () => new RecentTraces(links, 3, () => now);

  it('links the project and each trace as Opik’s SDKs do', () => {
    expect(links.project).toBe('http://localhost:5173/default/redirect/projects?name=Dify%20app');
    expect(links.trace(`${T}1`)).toBe(
      `http://localhost:5173/api/v1/session/redirect/projects/?trace_id=${T}1&path=aHR0cDovL2xvY2FsaG9zdDo1MTczL2FwaQ%3D%3D`,
    );
    expect(opikLinks('https://www.comet.com/opik/api/', 'acme', 'p').project).toBe(
      'https://www.comet.com/opik/acme/redirect/projects?name=p',
    );
  });

  it('leaves credentials in the endpoint out of every link', () => {
    const withPassword = opikLinks('http://opik:s3cret@localhost:5173/api', 'default', 'Dify app');
    expect(withPassword.project).toBe(links.project);
    expect(withPassword.trace(`${T}1`)).toBe(links.trace(`${T}1`));
  });

  it('names a trace after its row, counts its spans across batches, newest first', () => {
    const r = recent();
    r.record(payload([span(`${T}1`, 's1', 'llm')], [row(`${T}1`, 'llm', true)]));
    now = 2_000;
    r.record(payload([span(`${T}2`, 's2', 'tool')]));
    now = 3_000;
    r.record(payload([span(`${T}1`, 's3', 'workflow', true)], [row(`${T}1`, 'message')]));
    expect(r.list()).toEqual([
      {
        id: `${T}1`,
        name: 'message',
        spans: 2,
        status: 'error',
        time: new Date(3_000).toISOString(),
        url: links.trace(`${T}1`),
      },
      expect.objectContaining({ id: `${T}2`, name: 'tool', spans: 1, status: 'ok' }),
    ]);
  });

  it('keeps the newest few, and leaves out spans set aside before sending', () => {
    const r = recent();
    for (let i = 1; i <= 5; i++) r.record(payload([span(`${T}${i}`, `s${i}`, `t${i}`)]));
    const aside = payload([span(`${T}6`, 's6', 'old')]);
    aside.refused.push({ kind: 'span', reason: 'outside', item: aside.spans[0]!.opik });
    r.record(aside);
    expect(r.list().map((t) => t.name)).toEqual(['t5', 't4', 't3']);
  });
});
