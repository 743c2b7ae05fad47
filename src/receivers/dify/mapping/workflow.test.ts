import { describe, expect, it } from 'vitest';
import { SpanKind, StatusCode } from '../../../pdata/traces.js';
import { attrs, expectedOpik, fixture, metadata, withNodes } from '../test-fixtures.js';
import { convertItem } from './convert.js';

function spansOf(item: unknown) {
  const result = convertItem(item);
  if (result.outcome !== 'spans') throw new Error(`not converted: ${JSON.stringify(result)}`);
  return result.spans;
}

describe('WorkflowTraceInfo', () => {
  it('makes a root span `workflow` and a child per node, all in the run trace', () => {
    const [root, ...nodes] = spansOf(withNodes('workflow_app.json'));
    expect(root!.name).toBe('workflow');
    expect(root!.parentSpanId).toBe('');
    expect(root!.traceId).toBe('881fd2ebbcc14b76b5196e79c86a5694');
    expect(nodes.map((s) => s.name)).toEqual([
      'Start',
      'Legal playbook lookup',
      'Risk analysis',
      'Parse JSON',
      'End',
    ]);
    for (const n of nodes) {
      expect(n.traceId).toBe(root!.traceId);
      expect(n.parentSpanId).toBe(root!.spanId);
    }
  });

  it.each(['workflow_app.json', 'workflow_chatflow.json', 'workflow_failed.json'])(
    "gives %s the Opik ids of Dify's own integration",
    (name) => {
      const spans = spansOf(withNodes(name));
      const expected = expectedOpik(name);
      expect(spans.map((s) => attrs(s)['opik.trace_id'])).toEqual(
        spans.map(() => expected.trace!.id),
      );
      expect(spans.map((s) => attrs(s)['opik.span_id'])).toEqual(expected.spans!.map((s) => s.id));
      expect(spans.map((s) => attrs(s)['opik.parent_span_id'])).toEqual(
        expected.spans!.map((s) => s.parent_span_id ?? undefined),
      );
      expect(spans.map((s) => s.name)).toEqual(expected.spans!.map((s) => s.name));
    },
  );

  it('describes the run: operation, usage as ints, payloads, tags and Dify ids', () => {
    const a = attrs(spansOf(fixture('workflow_app.json'))[0]!);
    expect(a).toMatchObject({
      'gen_ai.operation.name': 'invoke_workflow',
      'gen_ai.usage.input_tokens': 1872n,
      'gen_ai.usage.output_tokens': 164n,
      'gen_ai.usage.total_tokens': 2036n,
      'input.mime_type': 'application/json',
      'output.mime_type': 'application/json',
      'opik.tags': ['workflow'],
      'dify.app_id': '5ca28c0c-541d-4926-8feb-24eedc65fd83',
      'dify.workflow_run_id': '881fd2eb-bcc1-4b76-b519-6e79c86a5694',
      'dify.user_id': 'crm-integration@acme.example',
    });
    expect(JSON.parse(String(a['output.value']))).toEqual({
      risk_level: 'medium',
      finding_count: 2,
      report: expect.stringContaining('"risk_level": "medium"'),
    });
    expect(a['opik.trace.name']).toBeUndefined();
  });

  it('keeps Dify metadata plus the app log id and the caller trace id in opik.metadata', () => {
    const m = metadata(spansOf(fixture('workflow_app.json'))[0]!);
    expect(m).toMatchObject({
      workflow_app_log_id: 'b28983e5-8039-4415-84ee-f3c9984d2da0',
      external_trace_id: '8b7ade21-faf4-4e46-a15f-f8f843c45263',
      elapsed_time: 9.333249,
      triggered_from: 'app-run',
      workflow_type: 'workflow',
      total_steps: 5,
    });
  });

  it('names a chatflow trace `message` with its tags and thread, the root staying `workflow`', () => {
    const root = spansOf(fixture('workflow_chatflow.json'))[0]!;
    expect(root.name).toBe('workflow');
    expect(attrs(root)).toMatchObject({
      'opik.trace.name': 'message',
      'opik.trace.tags': ['message', 'workflow'],
      'opik.tags': ['workflow'],
      'gen_ai.conversation.id': '1b0db45a-eba8-4237-84a7-f15c6706261c',
      'dify.message_id': 'fd34c7a1-ca76-40b7-a3c9-c9de9689fead',
    });
  });

  it('marks an LLM node a chat call with provider, model, usage and USD cost', () => {
    const llm = spansOf(withNodes('workflow_app.json'))[3]!;
    expect(llm.kind).toBe(SpanKind.CLIENT);
    const a = attrs(llm);
    expect(a).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4.1-mini',
      'gen_ai.usage.input_tokens': 1872n,
      'gen_ai.usage.output_tokens': 164n,
      'gen_ai.usage.total_tokens': 2036n,
      'gen_ai.usage.cost': 0.0010112,
      'opik.tags': ['node_execution'],
      'dify.node_type': 'llm',
    });
    const prompts = JSON.parse(String(a['input.value'])) as Array<{ role: string }>;
    expect(prompts.map((p) => p.role)).toEqual(['system', 'user']);
  });

  it('keeps a non-USD price in metadata only', () => {
    const llm = spansOf(withNodes('workflow_chatflow.json'))[3]!;
    expect(attrs(llm)['gen_ai.usage.cost']).toBeUndefined();
    expect(attrs(llm)['gen_ai.provider.name']).toBe('deepseek');
    expect(metadata(llm)).toMatchObject({ total_price: '0.0042340', currency: 'RMB' });
  });

  it('marks a failed run and its failed node ERROR with an exception event', () => {
    const spans = spansOf(withNodes('workflow_failed.json'));
    const message = fixture('workflow_failed.json').trace_info as { error: string };
    for (const s of [spans[0]!, spans[3]!]) {
      expect(s.status).toEqual({ code: StatusCode.ERROR, message: message.error });
      expect(s.events).toEqual([
        {
          name: 'exception',
          timeUnixNano: s.endTimeUnixNano,
          droppedAttributesCount: 0,
          attributes: [
            {
              key: 'exception.type',
              value: s === spans[0] ? 'WorkflowRunError' : 'NodeExecutionError',
            },
            { key: 'exception.message', value: message.error },
          ],
        },
      ]);
    }
    expect(spans.slice(1, 3).map((s) => s.status.code)).toEqual([
      StatusCode.UNSET,
      StatusCode.UNSET,
    ]);
    // The failed LLM node has no process_data: model and provider come from its inputs.
    expect(attrs(spans[3]!)).toMatchObject({
      'gen_ai.request.model': 'gpt-4.1-mini',
      'gen_ai.provider.name': 'openai',
    });
  });

  it('times spans from Dify datetimes, node ends from finished_at', () => {
    const [root, start] = spansOf(withNodes('workflow_chatflow.json'));
    expect(root!.startTimeUnixNano).toBe(1781253001123456000n);
    expect(root!.endTimeUnixNano).toBe(1781253007965593000n);
    expect(start!.startTimeUnixNano).toBe(1781253001140211000n);
    expect(start!.endTimeUnixNano).toBe(1781253001144424000n);
  });

  it('reads the pre-1.14 shape with nulls: end = start + elapsed, no split usage', () => {
    const [root] = spansOf(fixture('edge_nulls_and_missing_keys.json'));
    expect(root!.endTimeUnixNano).toBe(root!.startTimeUnixNano);
    const a = attrs(root!);
    expect(a['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(a['gen_ai.usage.total_tokens']).toBe(0n);
    expect(a['gen_ai.conversation.id']).toBeUndefined();
    expect(a['input.value']).toBe('{}');
    expect(root!.status.code).toBe(StatusCode.UNSET);
  });

  it('passes a 200 KB input through intact', () => {
    const env = fixture('edge_huge_input.json') as { trace_info: { workflow_run_inputs: unknown } };
    const [root] = spansOf(env);
    const value = String(attrs(root!)['input.value']);
    expect(value).toBe(JSON.stringify(env.trace_info.workflow_run_inputs));
    expect(value.length).toBeGreaterThan(150_000);
  });

  it('joins an external OTel trace, leaving its Opik trace id to the exporter', () => {
    const env = withNodes('workflow_app.json') as { trace_info: Record<string, unknown> };
    const hex = '5b8efff798038103d269b633813fc60c';
    const spans = spansOf({
      ...env,
      trace_info: { ...env.trace_info, trace_id: hex.toUpperCase() },
    });
    const expected = expectedOpik('workflow_app.json').spans!;
    for (const s of spans) {
      expect(s.traceId).toBe(hex);
      // Opik's id for this trace needs the first timestamp the exporter sees for it (README, "Ids").
      expect(attrs(s)['opik.trace_id']).toBeUndefined();
    }
    // Span and parent ids do not depend on the trace: the same as without an external trace id.
    expect(spans.map((s) => attrs(s)['opik.span_id'])).toEqual(expected.map((s) => s.id));
    expect(spans.map((s) => attrs(s)['opik.parent_span_id'])).toEqual(
      expected.map((s) => s.parent_span_id ?? undefined),
    );
  });

  it('links a nested run to the node that called it', () => {
    const env = fixture('workflow_app.json') as { trace_info: { metadata: object } };
    const parent = {
      parent_workflow_run_id: 'c9c4129f-3ea2-4ab5-b658-8be89e08717d',
      parent_node_execution_id: '2cfc8081-a861-4803-9121-d14ea45faa97',
    };
    const nested = {
      ...env,
      trace_info: {
        ...env.trace_info,
        metadata: { ...env.trace_info.metadata, parent_trace_context: parent },
      },
    };
    const [root] = spansOf(nested);
    const [llmNode] = spansOf(withNodes('workflow_chatflow.json')).slice(3);
    expect(root!.links.map((l) => [l.traceId, l.spanId])).toEqual([
      [llmNode!.traceId, llmNode!.spanId],
    ]);
    expect(root!.parentSpanId).toBe('');
  });
});
