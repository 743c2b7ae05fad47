import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTracesJson, encodeTracesJson } from '../../otlp/json-codec.js';
import { decodeTracesRequest, encodeTracesRequest } from '../../otlp/proto-codec.js';
import type { Span } from '../../pdata/traces.js';
import { StatusCode } from '../../pdata/traces.js';
import { TestHost, testSettings } from '../../testing/settings.js';
import { TracesSink } from '../../testing/sink.js';
import { difyReceiverFactory } from './factory.js';
import type { DifyReceiver } from './receiver.js';
import { attrs, envelopeFixtures, expectedOpik, fixture, withNodes } from './test-fixtures.js';

/**
 * Every shared Dify fixture through the real HTTP receiver into a sink: names, parent links, ids,
 * tags, usage, thread and errors of what comes out. Workflow runs are posted with their node rows
 * beside them, as a forwarder does.
 */
const sink = new TracesSink();
let receiver: DifyReceiver;
let url: string;

beforeAll(async () => {
  const config = difyReceiverFactory.configSchema.parse({
    ...difyReceiverFactory.createDefaultConfig(),
    endpoint: '127.0.0.1:0',
  });
  receiver = difyReceiverFactory.create(
    testSettings('receiver', 'dify'),
    config,
    sink,
  ) as DifyReceiver;
  await receiver.start(new TestHost());
  url = `http://${receiver.address}/v1/dify/traces`;
});
afterAll(() => receiver.shutdown());

async function send(item: unknown): Promise<Span[]> {
  sink.reset();
  const res = await fetch(url, {
    method: 'POST',
    body: JSON.stringify(item),
    headers: { 'content-type': 'application/json' },
  });
  expect(res.status).toBe(200);
  return sink.spans();
}

/** The root span of a message: from its fixture, or as a MessageTraceInfo for that id would make it. */
async function messageRootOf(message: string): Promise<Span> {
  if (message.endsWith('.json')) return (await send(fixture(message)))[0]!;
  const scoped = fixture('moderation_flagged.json') as {
    trace_info: { message_data: Record<string, unknown> };
  };
  const data = scoped.trace_info.message_data;
  const env = fixture('message_chat.json') as { trace_info: Record<string, unknown> };
  const info = {
    ...env.trace_info,
    message_id: message,
    message_data: data,
    start_time: data.created_at,
  };
  return (await send({ ...env, trace_info: info }))[0]!;
}

const WITH_NODES = new Set(['workflow_app.json', 'workflow_chatflow.json', 'workflow_failed.json']);
const load = (name: string) => (WITH_NODES.has(name) ? withNodes(name) : fixture(name));

type Usage = [input: bigint | undefined, output: bigint | undefined, total: bigint | undefined];
interface Case {
  names: string[];
  /** Span name → parent span name ('' for a root; 'message root' for the message's root span). */
  parents?: Record<string, string>;
  tags: string[];
  thread?: string;
  usage: Record<string, Usage>;
  errors: string[];
  /** The fixture whose message root the spans hang under, or the message id when no fixture has it. */
  message?: string;
}

const CASES: Record<string, Case | 'skipped'> = {
  'dataset_retrieval.json': {
    names: ['dataset_retrieval'],
    tags: ['dataset_retrieval'],
    thread: '5bd5112f-6556-4967-a100-aeaf5c4bf011',
    usage: {},
    errors: [],
    message: 'message_chat.json',
  },
  'edge_empty_trace_info.json': 'skipped',
  'edge_huge_input.json': {
    names: ['workflow'],
    tags: ['workflow'],
    usage: { workflow: [60342n, 1535n, 61877n] },
    errors: [],
  },
  'edge_nulls_and_missing_keys.json': {
    names: ['workflow'],
    tags: ['workflow'],
    usage: { workflow: [undefined, undefined, 0n] },
    errors: [],
  },
  'edge_unicode_emoji.json': {
    names: ['message', 'llm'],
    parents: { llm: 'message' },
    tags: ['message', 'chat'],
    thread: '70c37e19-0c2a-4e2d-b800-46fed6f36ea4',
    usage: { llm: [96n, 41n, 137n] },
    errors: [],
  },
  'ee_prompt_generation.json': 'skipped',
  'generate_name.json': {
    names: ['generate_conversation_name', 'generate_conversation_name'],
    tags: ['generate_name'],
    thread: '1b0db45a-eba8-4237-84a7-f15c6706261c',
    usage: {},
    errors: [],
  },
  'message_agent_chat.json': {
    names: ['message', 'llm'],
    parents: { llm: 'message' },
    tags: ['message', 'agent-chat'],
    thread: '66d7f38f-a358-48ed-b67e-e2adc98ee185',
    usage: { llm: [2311n, 402n, 2713n] },
    errors: [],
  },
  'message_chat.json': {
    names: ['message', 'llm'],
    parents: { llm: 'message' },
    tags: ['message', 'chat'],
    thread: '5bd5112f-6556-4967-a100-aeaf5c4bf011',
    usage: { llm: [642n, 187n, 829n] },
    errors: [],
  },
  'moderation_flagged.json': {
    names: ['moderation'],
    tags: ['moderation'],
    thread: '248009da-60cf-4bd6-8d4e-47cb8262474a',
    usage: {},
    errors: [],
    message: '30598585-a7c1-454e-8dff-143cf51f144a',
  },
  'moderation_not_flagged.json': {
    names: ['moderation'],
    tags: ['moderation'],
    thread: '5bd5112f-6556-4967-a100-aeaf5c4bf011',
    usage: {},
    errors: [],
    message: 'message_chat.json',
  },
  'suggested_question.json': {
    names: ['suggested_question'],
    tags: ['suggested_question'],
    thread: '5bd5112f-6556-4967-a100-aeaf5c4bf011',
    usage: { suggested_question: [undefined, undefined, 829n] },
    errors: [],
    message: 'message_chat.json',
  },
  'tool_error.json': {
    names: ['weather_forecast'],
    tags: ['tool', 'weather_forecast'],
    thread: '66d7f38f-a358-48ed-b67e-e2adc98ee185',
    usage: {},
    errors: ['weather_forecast'],
    message: 'message_agent_chat.json',
  },
  'tool_success.json': {
    names: ['tavily_search'],
    tags: ['tool', 'tavily_search'],
    thread: '66d7f38f-a358-48ed-b67e-e2adc98ee185',
    usage: {},
    errors: [],
    message: 'message_agent_chat.json',
  },
  'workflow_app.json': {
    names: ['workflow', 'Start', 'Legal playbook lookup', 'Risk analysis', 'Parse JSON', 'End'],
    tags: ['workflow'],
    usage: { workflow: [1872n, 164n, 2036n], 'Risk analysis': [1872n, 164n, 2036n] },
    errors: [],
  },
  'workflow_chatflow.json': {
    names: ['workflow', '开始', '知识检索', 'LLM', '直接回复'],
    tags: ['workflow'],
    thread: '1b0db45a-eba8-4237-84a7-f15c6706261c',
    usage: { workflow: [1245n, 218n, 1463n], LLM: [1245n, 218n, 1463n] },
    errors: [],
  },
  'workflow_failed.json': {
    names: ['workflow', 'Start', 'Legal playbook lookup', 'Risk analysis'],
    tags: ['workflow'],
    usage: { workflow: [0n, 0n, 0n] },
    errors: ['workflow', 'Risk analysis'],
  },
};

describe('every Dify fixture through the HTTP receiver', () => {
  it('has a case for each fixture file', () => {
    expect(envelopeFixtures()).toEqual(Object.keys(CASES).sort());
  });

  it.each(Object.entries(CASES).filter(([, c]) => c === 'skipped'))(
    '%s is skipped with a 200',
    async (name) => {
      expect(await send(fixture(name))).toEqual([]);
    },
  );

  it.each(Object.entries(CASES).filter((e): e is [string, Case] => e[1] !== 'skipped'))(
    '%s',
    async (name, c) => {
      const spans = await send(load(name));
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      expect(spans.map((s) => s.name)).toEqual(c.names);
      // One trace; every parent link points at a span of this trace or at the message's root.
      expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
      const messageRoot = c.message ? await messageRootOf(c.message) : undefined;
      for (const s of spans) {
        const parent =
          byId.get(s.parentSpanId) ??
          (s.parentSpanId === messageRoot?.spanId ? messageRoot : undefined);
        if (s === spans[0] && !c.message) expect(s.parentSpanId).toBe('');
        else
          expect(parent?.name).toBe(
            c.parents?.[s.name] ?? (c.message ? 'message' : spans[0]!.name),
          );
        if (parent) expect(attrs(s)['opik.parent_span_id']).toBe(attrs(parent)['opik.span_id']);
        if (messageRoot) expect(s.traceId).toBe(messageRoot.traceId);
      }
      const first = attrs(spans[0]!);
      expect(first['opik.tags']).toEqual(c.tags);
      expect(first['gen_ai.conversation.id']).toBe(c.thread);
      for (const s of spans) {
        const a = attrs(s);
        const usage = [
          a['gen_ai.usage.input_tokens'],
          a['gen_ai.usage.output_tokens'],
          a['gen_ai.usage.total_tokens'],
        ];
        expect(usage).toEqual(c.usage[s.name] ?? [undefined, undefined, undefined]);
        expect(s.status.code).toBe(c.errors.includes(s.name) ? StatusCode.ERROR : StatusCode.UNSET);
        expect(s.events.map((e) => e.name)).toEqual(c.errors.includes(s.name) ? ['exception'] : []);
        expect(a['opik.span_id']).toMatch(
          /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        );
      }
      const expected = expectedOpik(name);
      if (expected?.trace && !expected.trace.id.startsWith('<')) {
        expect(spans.map((s) => attrs(s)['opik.trace_id'])).toEqual(
          spans.map(() => expected.trace!.id),
        );
      }
      if (expected?.spans && WITH_NODES.has(name)) {
        expect(spans.map((s) => attrs(s)['opik.span_id'])).toEqual(expected.spans.map((s) => s.id));
      }
    },
  );

  it.each(Object.keys(CASES).filter((n) => CASES[n] !== 'skipped'))(
    '%s twice gives identical spans, byte for byte in OTLP JSON and protobuf',
    async (name) => {
      const encode = async () => {
        await send(load(name));
        const batch = sink.batches[0]!;
        return {
          json: encodeTracesJson(batch),
          proto: Buffer.from(encodeTracesRequest(batch)),
          batch,
        };
      };
      const [first, second] = [await encode(), await encode()];
      expect(second.json).toBe(first.json);
      expect(second.proto.equals(first.proto)).toBe(true);
      // What the exporters will encode decodes back to the same spans.
      expect(decodeTracesJson(first.json)).toEqual(first.batch);
      expect(decodeTracesRequest(first.proto)).toEqual(first.batch);
    },
  );

  it.each([...WITH_NODES])('%s: node rows posted after the run land under it', async (name) => {
    const [root] = await send(fixture(name));
    const nodes = await send(fixture(name.replace('.json', '.node_executions.json')));
    expect(nodes.map((n) => [n.traceId, n.parentSpanId])).toEqual(
      nodes.map(() => [root!.traceId, root!.spanId]),
    );
  });

  it('a moderation posted before its message lands under the message root all the same', async () => {
    const [moderation] = await send(fixture('moderation_not_flagged.json'));
    const [root] = await send(fixture('message_chat.json'));
    expect([moderation!.traceId, moderation!.parentSpanId]).toEqual([root!.traceId, root!.spanId]);
    expect(attrs(moderation!)['opik.parent_span_id']).toBe(attrs(root!)['opik.span_id']);
  });
});
