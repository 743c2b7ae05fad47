import { describe, expect, it } from 'vitest';
import { StatusCode } from '../../../pdata/traces.js';
import { attrs, expectedOpik, fixture, metadata } from '../test-fixtures.js';
import { convertItem } from './convert.js';

function spansOf(item: unknown) {
  const result = convertItem(item);
  if (result.outcome !== 'spans') throw new Error(`not converted: ${JSON.stringify(result)}`);
  return result.spans;
}

const chatRoot = () => spansOf(fixture('message_chat.json'))[0]!;
const agentRoot = () => spansOf(fixture('message_agent_chat.json'))[0]!;

describe('message-scoped envelopes', () => {
  it.each([
    ['moderation_not_flagged.json', 'moderation', chatRoot],
    ['suggested_question.json', 'suggested_question', chatRoot],
    ['dataset_retrieval.json', 'dataset_retrieval', chatRoot],
    ['tool_success.json', 'tavily_search', agentRoot],
    ['tool_error.json', 'weather_forecast', agentRoot],
  ])('%s becomes `%s` under its message root, in the message trace', (name, spanName, root) => {
    const [span] = spansOf(fixture(name));
    const message = root();
    expect(span!.name).toBe(spanName);
    expect(span!.traceId).toBe(message.traceId);
    expect(span!.parentSpanId).toBe(message.spanId);
    expect(attrs(span!)['opik.trace_id']).toBe(attrs(message)['opik.trace_id']);
    expect(attrs(span!)['opik.parent_span_id']).toBe(attrs(message)['opik.span_id']);
    // Dify's integration keys these on the span's own start and lands them elsewhere.
    expect(attrs(span!)['opik.trace_id']).not.toBe(expectedOpik(name).span!.trace_id);
  });

  it('keeps a flagged moderation in the trace of its own message', () => {
    const [span] = spansOf(fixture('moderation_flagged.json'));
    expect(span!.traceId).toBe('30598585a7c1454e8dff143cf51f144a');
    expect(attrs(span!)).toMatchObject({
      'opik.trace_id': '019ebb98-c59e-754e-8dff-143cf51f144a',
      'gen_ai.operation.name': 'apply_guardrail',
      'opik.tags': ['moderation'],
      'gen_ai.conversation.id': '248009da-60cf-4bd6-8d4e-47cb8262474a',
    });
    expect(JSON.parse(String(attrs(span!)['output.value']))).toEqual({
      flagged: true,
      action: 'direct_output',
      preset_response:
        "Sorry, I can't help with that request. Please contact support@acme.example for anything else.",
    });
  });

  it('gives suggested questions as output, with model, provider and tokens', () => {
    const [span] = spansOf(fixture('suggested_question.json'));
    expect(JSON.parse(String(attrs(span!)['output.value']))).toHaveLength(3);
    expect(attrs(span!)).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.total_tokens': 829n,
      'opik.tags': ['suggested_question'],
    });
  });

  it('gives retrieval the query in and the documents out, without vectors', () => {
    const [span] = spansOf(fixture('dataset_retrieval.json'));
    const a = attrs(span!);
    expect(a).toMatchObject({
      'gen_ai.operation.name': 'retrieval',
      'opik.span.type': 'tool',
      'input.mime_type': 'text/plain',
    });
    expect(a['gen_ai.data_source.id']).toBeUndefined(); // two datasets answered
    const out = JSON.parse(String(a['output.value'])) as {
      documents: Array<Record<string, unknown>>;
    };
    expect(out.documents.map((d) => d.score)).toEqual([0.8316, 0.7702, 0.6935, 0.4188]);
    expect(out.documents[0]).not.toHaveProperty('vector');
    expect(metadata(span!).embedding_models).toBeDefined();
  });

  it('names a tool span after the tool, tags it, and keeps its config; an error makes it ERROR', () => {
    const [ok] = spansOf(fixture('tool_success.json'));
    const [failed] = spansOf(fixture('tool_error.json'));
    expect(attrs(ok!)).toMatchObject({
      'gen_ai.tool.name': 'tavily_search',
      'opik.tags': ['tool', 'tavily_search'],
    });
    expect(metadata(ok!)).toMatchObject({
      time_cost: 2.314776,
      tool_config: { tool_provider: 'langgenius/tavily/tavily' },
    });
    expect(metadata(ok!)).not.toHaveProperty('tool_outputs');
    expect(ok!.status.code).toBe(StatusCode.UNSET);
    expect(failed!.status.code).toBe(StatusCode.ERROR);
    expect(failed!.status.message).toMatch(/Read timed out/);
    expect(failed!.events[0]!.attributes[0]).toEqual({ key: 'exception.type', value: 'ToolError' });
  });

  it("puts a chatflow message's spans under its workflow run (OTel ids only: the run start is unknown)", () => {
    const env = fixture('suggested_question.json') as { trace_info: { message_data: object } };
    const runId = 'c9c4129f-3ea2-4ab5-b658-8be89e08717d';
    const chatflow = {
      ...env,
      trace_info: {
        ...env.trace_info,
        message_data: { ...env.trace_info.message_data, workflow_run_id: runId },
      },
    };
    const [span] = spansOf(chatflow);
    const [run] = spansOf(fixture('workflow_chatflow.json'));
    expect([span!.traceId, span!.parentSpanId]).toEqual([run!.traceId, run!.spanId]);
    expect(attrs(span!)['opik.trace_id']).toBeUndefined();
    expect(attrs(span!)['opik.span_id']).toMatch(/^019ebb81-b556-7/);
  });
});
