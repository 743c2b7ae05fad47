import { describe, expect, it } from 'vitest';
import { fixture } from '../test-fixtures.js';
import { convertItem } from './convert.js';

const workflow = fixture('workflow_app.json') as {
  app_id: string;
  trace_info: Record<string, unknown>;
};
const message = fixture('message_chat.json') as { trace_info: Record<string, unknown> };
const rows = (
  fixture('workflow_app.node_executions.json') as { rows: Array<Record<string, unknown>> }
).rows;
const info = (patch: Record<string, unknown>) => ({
  ...workflow,
  trace_info: { ...workflow.trace_info, ...patch },
});
const jsonError = (text: string) => {
  try {
    JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  return '';
};
const TIME = 'an ISO 8601 date-time such as "2026-06-12T08:30:01.123456"';

describe('convertItem rejects a malformed item with the key path of the problem', () => {
  it.each<[string, unknown, string]>([
    [
      'a number',
      1,
      'expected an object (a Dify envelope or a node-executions document), got number 1',
    ],
    [
      'a list',
      [],
      'expected an object (a Dify envelope or a node-executions document), got a list',
    ],
    [
      'an object of neither shape',
      { hello: 1 },
      'expected a Dify envelope (with trace_info_type) or a node-executions document (with rows)',
    ],
    [
      'a non-string type',
      { ...workflow, trace_info_type: 5 },
      'trace_info_type: expected a non-empty string, got number 5',
    ],
    [
      'an empty type',
      { ...workflow, trace_info_type: '' },
      'trace_info_type: expected a non-empty string, got the string ""',
    ],
    [
      'no app_id',
      { ...workflow, app_id: undefined },
      'app_id: expected a non-empty string, got nothing',
    ],
    [
      'a known type without trace_info',
      { ...workflow, trace_info: null },
      'trace_info: expected an object, got null',
    ],
    [
      'trace_info as text',
      { ...workflow, trace_info: '{}' },
      'trace_info: expected an object, got the string "{}"',
    ],
    [
      'no workflow_run_id',
      info({ workflow_run_id: undefined }),
      'trace_info.workflow_run_id: expected a non-empty string, got nothing',
    ],
    [
      'no start_time',
      info({ start_time: null }),
      `trace_info.start_time: expected ${TIME}, got null`,
    ],
    [
      'a bad start_time',
      info({ start_time: 'yesterday' }),
      `trace_info.start_time: expected ${TIME}, got the string "yesterday"`,
    ],
    [
      'a bad end_time',
      info({ end_time: 1781255751 }),
      `trace_info.end_time: expected ${TIME}, got number 1781255751`,
    ],
    [
      'a numeric trace_id',
      info({ trace_id: 42 }),
      'trace_info.trace_id: expected a string, got number 42',
    ],
    [
      'metadata as a list',
      info({ metadata: [] }),
      'trace_info.metadata: expected an object, got a list',
    ],
    [
      'tokens as text',
      info({ prompt_tokens: '12' }),
      'trace_info.prompt_tokens: expected a number, got the string "12"',
    ],
    [
      'node_executions as a map',
      { ...workflow, node_executions: {} },
      'node_executions: expected a list, got a map',
    ],
    [
      'a node row that is not an object',
      { ...workflow, node_executions: ['x'] },
      'node_executions[0]: expected an object, got the string "x"',
    ],
    [
      'a node row without created_at',
      { ...workflow, node_executions: [rows[0], { ...rows[1], created_at: undefined }] },
      `node_executions[1].created_at: expected ${TIME}, got nothing`,
    ],
    [
      'a node row without id',
      { ...workflow, node_executions: [{ ...rows[0], id: '', node_execution_id: null }] },
      'node_executions[0].node_execution_id: expected a non-empty string, got null',
    ],
    [
      'a node row of another run',
      {
        ...workflow,
        node_executions: [{ ...rows[0], workflow_run_id: 'c9c4129f-3ea2-4ab5-b658-8be89e08717d' }],
      },
      "node_executions[0].workflow_run_id: is c9c4129f-3ea2-4ab5-b658-8be89e08717d, not this run's 881fd2eb-bcc1-4b76-b519-6e79c86a5694",
    ],
    [
      'a JSON column that is not JSON',
      { ...workflow, node_executions: [{ ...rows[2], process_data: '{oops' }] },
      `node_executions[0].process_data: expected JSON text, got invalid JSON (${jsonError('{oops')})`,
    ],
    [
      'execution_metadata that is not an object',
      { ...workflow, node_executions: [{ ...rows[2], execution_metadata: '[1]' }] },
      'node_executions[0].execution_metadata: expected a JSON object, got the string "[1]"',
    ],
    [
      'node_executions beside a message',
      { ...message, node_executions: [] },
      'node_executions: only a WorkflowTraceInfo envelope carries node executions',
    ],
    [
      'a tool without tool_name',
      {
        ...fixture('tool_success.json'),
        trace_info: { ...(fixture('tool_success.json').trace_info as object), tool_name: null },
      },
      'trace_info.tool_name: expected a non-empty string, got null',
    ],
    [
      'a message without any message id',
      { ...message, trace_info: { ...message.trace_info, message_id: null, message_data: null } },
      'trace_info.message_id: expected a non-empty string, got null',
    ],
    [
      'a moderation without any message id',
      {
        ...fixture('moderation_flagged.json'),
        trace_info: { start_time: '2026-06-12T11:30:12', metadata: {} },
      },
      'trace_info.message_id: expected a non-empty string, got nothing',
    ],
    [
      'a node document without workflow_run_id',
      { rows: [] },
      'workflow_run_id: expected a non-empty string, got nothing',
    ],
    [
      'a node document whose rows are text',
      { workflow_run_id: 'r', rows: 'x' },
      'rows: expected a list of workflow_node_executions rows, got the string "x"',
    ],
    [
      'a node document with a bad start_time',
      { workflow_run_id: 'r', rows: [], start_time: '12:00' },
      `start_time: expected ${TIME}, got the string "12:00"`,
    ],
  ])('%s', (_case, item, message) => {
    expect(convertItem(item)).toEqual({ outcome: 'rejected', message });
  });
});

describe('convertItem skips types it has no mapping for', () => {
  it.each([
    ['dict', fixture('edge_empty_trace_info.json')],
    ['NoneType', { app_id: 'a', trace_info_type: 'NoneType', trace_info: null }],
    ['PromptGenerationTraceInfo', fixture('ee_prompt_generation.json')],
    [
      'WorkflowNodeTraceInfo',
      { app_id: 'a', trace_info_type: 'WorkflowNodeTraceInfo', trace_info: {} },
    ],
    [
      'CompletedTrace',
      { app_id: 'a', trace_info_type: 'CompletedTrace', trace_info: { schema_version: 2 } },
    ],
  ])('skips %s', (traceInfoType, item) => {
    expect(convertItem(item)).toEqual({ outcome: 'skipped', traceInfoType });
  });

  it('accepts an empty node document and unknown envelope keys', () => {
    expect(convertItem({ workflow_run_id: 'r', rows: [] })).toEqual({
      outcome: 'spans',
      spans: [],
    });
    const extra = convertItem({ ...workflow, _enterprise_trace_dispatched: true });
    expect(extra.outcome).toBe('spans');
  });

  it('is deterministic: the same envelope twice gives equal spans', () => {
    expect(convertItem({ ...workflow, node_executions: rows })).toEqual(
      convertItem({ ...workflow, node_executions: rows }),
    );
  });
});

describe('convertItem keeps odd metadata keys as data', () => {
  it('keeps a __proto__ key in metadata as a plain key', () => {
    const meta = JSON.parse('{"__proto__": {"polluted": true}, "app_id": "a"}') as object;
    const result = convertItem(info({ metadata: meta }));
    if (result.outcome !== 'spans') throw new Error('not converted');
    const json = String(
      result.spans[0]!.attributes.find((kv) => kv.key === 'opik.metadata')?.value,
    );
    expect(Object.getOwnPropertyDescriptor(JSON.parse(json), '__proto__')?.value).toEqual({
      polluted: true,
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
