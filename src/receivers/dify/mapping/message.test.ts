import { describe, expect, it } from 'vitest';
import { SpanKind, StatusCode } from '../../../pdata/traces.js';
import { attrs, expectedOpik, fixture, metadata } from '../test-fixtures.js';
import { convertItem } from './convert.js';

function spansOf(item: unknown) {
  const result = convertItem(item);
  if (result.outcome !== 'spans') throw new Error(`not converted: ${JSON.stringify(result)}`);
  return result.spans;
}

describe('MessageTraceInfo', () => {
  it('makes a root `message` and its child `llm` in the message trace', () => {
    const [root, llm] = spansOf(fixture('message_chat.json'));
    expect([root!.name, llm!.name]).toEqual(['message', 'llm']);
    expect(root!.traceId).toBe('a40718ad76624aeb937855a9fc26ee16');
    expect(llm!.traceId).toBe(root!.traceId);
    expect(llm!.parentSpanId).toBe(root!.spanId);
    expect(llm!.kind).toBe(SpanKind.CLIENT);
    expect(attrs(llm!)['opik.parent_span_id']).toBe(attrs(root!)['opik.span_id']);
  });

  it.each(['message_chat.json', 'message_agent_chat.json'])(
    "keeps the Opik trace id of Dify's integration for %s",
    (name) => {
      for (const s of spansOf(fixture(name))) {
        expect(attrs(s)['opik.trace_id']).toBe(expectedOpik(name).trace!.id);
      }
    },
  );

  it('puts the turn on the root and the model call, usage and model on `llm`', () => {
    const [root, llm] = spansOf(fixture('message_chat.json'));
    expect(attrs(root!)).toMatchObject({
      'opik.tags': ['message', 'chat'],
      'gen_ai.conversation.id': '5bd5112f-6556-4967-a100-aeaf5c4bf011',
      'output.mime_type': 'text/plain',
      'dify.message_id': 'a40718ad-7662-4aeb-9378-55a9fc26ee16',
      'dify.user_id': 'ede74795-ad95-4d30-984c-981786e303c4',
    });
    expect(JSON.parse(String(attrs(root!)['input.value'])).query).toMatch(/^My order #A-10293/);
    expect(attrs(llm!)).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 642n,
      'gen_ai.usage.output_tokens': 187n,
      'gen_ai.usage.total_tokens': 829n,
      'gen_ai.usage.cost': 0.0002085,
    });
    expect(JSON.parse(String(attrs(llm!)['input.value']))).toHaveLength(4);
    expect(metadata(root!)).toMatchObject({
      gen_ai_server_time_to_first_token: 0.412309,
      is_streaming_request: true,
    });
  });

  it('marks an agent message invoke_agent with its mode tag', () => {
    const [root] = spansOf(fixture('message_agent_chat.json'));
    expect(attrs(root!)).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'opik.tags': ['message', 'agent-chat'],
    });
  });

  it('keeps every emoji, RTL mark and control character, and a non-UUID caller trace id in metadata', () => {
    const env = fixture('edge_unicode_emoji.json') as {
      trace_info: { outputs: string; trace_id: string };
    };
    const [root, llm] = spansOf(env);
    expect(attrs(root!)['output.value']).toBe(env.trace_info.outputs);
    expect(String(attrs(llm!)['input.value'])).toContain('👨‍👩‍👧‍👦🏳️‍🌈');
    expect(String(attrs(llm!)['input.value'])).toContain('\\u001b[31m');
    // Not an OTel trace id: the message's own trace; the value is kept for reference.
    expect(root!.traceId).toBe('c3ce058ccaae4103b9d1f759799e62aa');
    expect(metadata(root!).external_trace_id).toBe('req_7f3a9c2e-checkout_42');
    expect(metadata(root!).trace_session_id).toBe('会话-42 🧵');
  });

  it('marks both spans ERROR when Dify reports an error', () => {
    const env = fixture('message_chat.json') as { trace_info: object };
    const spans = spansOf({ ...env, trace_info: { ...env.trace_info, error: 'Model timed out' } });
    expect(spans.map((s) => s.status)).toEqual([
      { code: StatusCode.ERROR, message: 'Model timed out' },
      { code: StatusCode.ERROR, message: 'Model timed out' },
    ]);
  });
});
