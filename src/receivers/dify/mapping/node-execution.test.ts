import { describe, expect, it } from 'vitest';
import { StatusCode } from '../../../pdata/traces.js';
import { attrs, expectedOpik, fixture, withNodes } from '../test-fixtures.js';
import { convertItem } from './convert.js';

function spansOf(item: unknown) {
  const result = convertItem(item);
  if (result.outcome !== 'spans') throw new Error(`not converted: ${JSON.stringify(result)}`);
  return result.spans;
}

describe('node executions posted apart from their run', () => {
  it.each(['workflow_app', 'workflow_chatflow', 'workflow_failed'])(
    '%s: the rows land under the root span the run envelope makes, in its trace',
    (name) => {
      const [root] = spansOf(fixture(`${name}.json`));
      const nodes = spansOf(fixture(`${name}.node_executions.json`));
      expect(nodes.length).toBeGreaterThan(0);
      for (const n of nodes) {
        expect(n.traceId).toBe(root!.traceId);
        expect(n.parentSpanId).toBe(root!.spanId);
      }
    },
  );

  it('gives each row the same span as beside the envelope, but no Opik trace or parent', () => {
    const beside = spansOf(withNodes('workflow_app.json')).slice(1);
    const apart = spansOf(fixture('workflow_app.node_executions.json'));
    expect(apart.map((s) => s.spanId)).toEqual(beside.map((s) => s.spanId));
    expect(apart.map((s) => attrs(s)['opik.span_id'])).toEqual(
      beside.map((s) => attrs(s)['opik.span_id']),
    );
    // The run's start time is what Opik's trace and root ids need; the rows do not carry it.
    for (const s of apart) {
      expect(attrs(s)['opik.trace_id']).toBeUndefined();
      expect(attrs(s)['opik.parent_span_id']).toBeUndefined();
    }
  });

  it('with the run context in the document, gives byte-identical spans to rows beside the envelope', () => {
    const run = fixture('workflow_chatflow.json').trace_info as Record<string, unknown>;
    const doc = {
      ...fixture('workflow_chatflow.node_executions.json'),
      start_time: run.start_time,
      message_id: run.message_id,
    };
    const apart = spansOf(doc);
    expect(apart).toEqual(spansOf(withNodes('workflow_chatflow.json')).slice(1));
    expect(apart.map((s) => attrs(s)['opik.parent_span_id'])).toEqual(
      expectedOpik('workflow_chatflow.json')
        .spans!.slice(1)
        .map((s) => s.parent_span_id),
    );
  });

  it('reads JSON columns already parsed the same as JSON text', () => {
    const doc = fixture('workflow_app.node_executions.json') as {
      rows: Array<Record<string, unknown>>;
    };
    const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
    const parsed = {
      ...doc,
      rows: doc.rows.map((r) => ({
        ...r,
        inputs: parse(r.inputs),
        process_data: parse(r.process_data),
        outputs: parse(r.outputs),
        execution_metadata: parse(r.execution_metadata),
      })),
    };
    const [a, b] = [spansOf(doc), spansOf(parsed)];
    const withoutPayloads = (s: (typeof a)[number]) =>
      s.attributes.filter((kv) => !kv.key.endsWith('.value'));
    expect(b.map(withoutPayloads)).toEqual(a.map(withoutPayloads));
    for (const [i, s] of b.entries()) {
      for (const key of ['input.value', 'output.value']) {
        const [x, y] = [attrs(a[i]!)[key], attrs(s)[key]];
        expect(y === undefined ? undefined : JSON.parse(String(y))).toEqual(
          x === undefined ? undefined : JSON.parse(String(x)),
        );
      }
    }
  });

  it('marks a node that failed into its error strategy with the error type Dify recorded', () => {
    const row = {
      ...(fixture('workflow_app.node_executions.json') as { rows: object[] }).rows[3],
      status: 'exception',
      error: null,
      outputs: '{"error_message": "division by zero", "error_type": "CodeNodeError"}',
    };
    const [span] = spansOf({
      workflow_run_id: '881fd2eb-bcc1-4b76-b519-6e79c86a5694',
      rows: [row],
    });
    expect(span!.status).toEqual({ code: StatusCode.ERROR, message: 'division by zero' });
    expect(span!.events[0]!.attributes).toEqual([
      { key: 'exception.type', value: 'CodeNodeError' },
      { key: 'exception.message', value: 'division by zero' },
    ]);
  });
});
