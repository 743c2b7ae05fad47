import { describe, expect, it } from 'vitest';
import { attrs, fixture } from '../test-fixtures.js';
import { convertItem } from './convert.js';

describe('GenerateNameTraceInfo', () => {
  const result = convertItem(fixture('generate_name.json'));
  const spans = result.outcome === 'spans' ? result.spans : [];

  it('makes a root and its child, both `generate_conversation_name`, in the conversation thread', () => {
    expect(spans.map((s) => s.name)).toEqual([
      'generate_conversation_name',
      'generate_conversation_name',
    ]);
    expect(spans[1]!.parentSpanId).toBe(spans[0]!.spanId);
    expect(attrs(spans[0]!)).toMatchObject({
      'gen_ai.conversation.id': '1b0db45a-eba8-4237-84a7-f15c6706261c',
      'opik.tags': ['generate_name'],
      'output.value': '年假天数与跨年使用规则',
      'dify.tenant_id': 'e8ccb4d2-3ee9-4d4d-ba07-41e99063a06b',
    });
  });

  it('has deterministic ids where Dify draws random ones', () => {
    const again = convertItem(fixture('generate_name.json'));
    expect(again).toEqual(result);
    const a = attrs(spans[0]!);
    expect(a['opik.trace_id']).toMatch(/^019ebaf3-d0ba-7/);
    expect(attrs(spans[1]!)['opik.parent_span_id']).toBe(a['opik.span_id']);
  });
});
