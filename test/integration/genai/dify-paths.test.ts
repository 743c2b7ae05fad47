/**
 * Path parity (issue: Phoenix and Aliyun spans as Dify really sends them): for the same Dify run
 * or message, the Opik state reached through Dify's "Arize Phoenix" provider (legacy dialect, in
 * one worker or a worker per task; unified dialect), its "Aliyun" provider (1.14–1.16 and 1.17
 * shapes) and the envelope path is the same, compared field by field, but for what each
 * provider does not carry (the table in src/processors/genai/README.md, `GAPS` below). It does
 * not depend on the order the requests arrive in, and sending everything again changes nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { type DifyRun, RUNS } from '../../fixtures/genai/dify/runs.js';
import {
  bySpan,
  fakes,
  type Path,
  requestsOf,
  type Stored,
  shuffled,
  storedVia,
} from './dify-paths.js';

afterAll(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

type Row = Record<string, unknown>;

/** What a person sees of a stored trace and its spans, parents by name, in time order. */
function view({ traces, spans }: Stored) {
  const byId = new Map(spans.map((s) => [s.id, s]));
  const traceName = new Map(traces.map((t) => [t.id, t.name]));
  return {
    traces: traces
      .map((t) => ({
        name: t.name,
        thread_id: t.thread_id,
        tags: t.tags,
        start: t.start_time,
        end: t.end_time,
        input: t.input,
        output: t.output,
        id: t.id,
      }))
      .sort(byStart),
    spans: spans
      .map((s) => ({
        trace: traceName.get(s.trace_id) ?? 'NO TRACE',
        name: s.name,
        type: s.type,
        parent: s.parent_span_id ? (byId.get(s.parent_span_id)?.name ?? 'MISSING') : 'ROOT',
        model: s.model,
        provider: s.provider,
        usage: s.usage,
        cost: s.total_estimated_cost,
        tags: s.tags,
        start: s.start_time,
        end: s.end_time,
        error: (s.error_info as Row | undefined)?.message,
        input: s.input,
        output: s.output,
        id: s.id,
        parent_id: s.parent_span_id,
        trace_id: s.trace_id,
      }))
      .sort(byStart),
  };
}
type View = ReturnType<typeof view>;
type SpanField = keyof View['spans'][number];
type TraceField = keyof View['traces'][number];
const byStart = (a: Row, b: Row) =>
  `${String(a.start)}${String(a.name)}`.localeCompare(`${String(b.start)}${String(b.name)}`);

/** What a path does not carry (README, "What each path cannot carry"). */
interface Gap {
  readonly why: string;
  /** Only for these runs. */
  readonly runs?: readonly string[];
  readonly spans?: RegExp;
  /** Span fields the path does not carry, left out on both sides. */
  readonly fields?: readonly SpanField[];
  readonly traceFields?: readonly TraceField[];
  /** The provider does not send these spans. */
  readonly absent?: boolean;
  /** Spans only this path has. */
  readonly extra?: boolean;
  /** The name the path gives these spans. */
  readonly renamed?: string;
  /** The path shows an empty object as no value. */
  readonly emptyAsNone?: boolean;
}

const MESSAGE_COST: Gap = {
  why: 'the price of a chat message (message_data.message_metadata.usage)',
  spans: /^llm$/,
  fields: ['cost'],
};
const FAILED_LLM: Gap = {
  why: "a failed LLM node's inputs, and so its model and provider",
  runs: ['a failed workflow'],
  spans: /^Risk analysis$/,
  fields: ['model', 'provider', 'input'],
};
const PHOENIX: Gap[] = [
  MESSAGE_COST,
  FAILED_LLM,
  { why: 'an empty column and a missing one are one (`value or {}`)', emptyAsNone: true },
  {
    why: 'retrieved documents of a message (sent as Python reprs)',
    spans: /^dataset_retrieval$/,
    fields: ['output'],
  },
];
const MESSAGE_INPUT: Gap = {
  why: "a message's question and app inputs (its input is the prompt list)",
  spans: /^message$/,
  fields: ['input'],
  traceFields: ['input'],
};
/** Spans whose Opik ids do not come from a node execution id. */
const NOT_NODES =
  'workflow|message|llm|moderation|suggested_question|dataset_retrieval|tavily_search|weather_forecast';
const aliyun = (nodeIds: RegExp): Gap[] => [
  MESSAGE_COST,
  {
    why: 'node execution ids, which Opik span ids of nodes are made from',
    spans: nodeIds,
    fields: ['id'],
  },
  {
    why: "a chatflow's message id, which its Opik trace id and root span id are made from",
    runs: ['a chatflow with an iteration'],
    fields: ['trace_id', 'parent_id'],
    traceFields: ['id'],
  },
  {
    why: "a chatflow's message id, which its Opik trace id and root span id are made from",
    runs: ['a chatflow with an iteration'],
    spans: /^workflow$/,
    fields: ['id'],
  },
  {
    why: 'the names of untitled nodes (and their type)',
    spans: /^iteration-start$/,
    renamed: 'unknown',
  },
  { why: 'the price of LLM nodes', spans: /^City brief$|^Risk analysis$/, fields: ['cost'] },
  { why: 'moderation spans', spans: /^moderation$/, absent: true },
  {
    why: "the conversation mode (an agent chat's tag)",
    runs: ['an agent chat with tools'],
    spans: /^message$/,
    fields: ['tags'],
    traceFields: ['tags'],
  },
  {
    why: 'the token count of suggested questions',
    spans: /^suggested_question$/,
    fields: ['usage'],
  },
  MESSAGE_INPUT,
  {
    why: "LLM and agent nodes' outputs beyond their text",
    spans: /^(City brief|Planner agent)$/,
    fields: ['output'],
  },
  {
    why: 'retrieved documents of a message beyond content, score and three ids',
    spans: /^dataset_retrieval$/,
    fields: ['output'],
  },
];
const GAPS: Record<Exclude<Path, 'envelope'>, readonly Gap[]> = {
  phoenix: [
    ...PHOENIX,
    { ...MESSAGE_INPUT, why: "a message's app inputs (its input is the question)" },
  ],
  'phoenix, a worker per task': [
    ...PHOENIX,
    { ...MESSAGE_INPUT, why: "a message's app inputs (its input is the question)" },
  ],
  unified: [
    ...PHOENIX,
    MESSAGE_INPUT,
    {
      why: "the caller's trace id (X-Trace-Id), which Dify keys the Opik trace id on",
      runs: ['a workflow'],
      fields: ['trace_id'],
      traceFields: ['id'],
    },
    {
      why: 'the token count of suggested questions',
      spans: /^suggested_question$/,
      fields: ['usage'],
    },
  ],
  'aliyun 1.16': [...aliyun(new RegExp(`^(?!(${NOT_NODES})$)`)), FAILED_LLM],
  'aliyun 1.17': [
    // 1.17 sends a tool node's execution id as its call id.
    ...aliyun(new RegExp(`^(?!(${NOT_NODES}|Weather lookup)$)`)),
    { why: 'ReAct steps under agent nodes', spans: /^ROUND \d+$|Thought$|^CALL /, extra: true },
  ],
};

function withGaps(v: View, gaps: readonly Gap[], run: DifyRun, side: 'path' | 'envelope'): View {
  let { traces, spans } = v;
  for (const gap of gaps) {
    if (gap.runs && !gap.runs.includes(run.name)) continue;
    const hit = (s: { name: unknown }) => !gap.spans || gap.spans.test(String(s.name));
    if (gap.absent && side === 'envelope') spans = spans.filter((s) => !hit(s));
    if (gap.extra && side === 'path') spans = spans.filter((s) => !hit(s));
    if (gap.renamed && side === 'envelope') {
      spans = spans.map((s) => (hit(s) ? { ...s, name: gap.renamed! } : s));
    }
    if (gap.emptyAsNone) spans = spans.map(withoutEmptyPayloads);
    const fields = gap.fields ?? [];
    spans = spans.map((s) => (hit(s) ? omit(s, fields) : s));
    traces = traces.map((t) => omit(t, gap.traceFields ?? []));
  }
  return { traces, spans: spans.sort(byStart) };
}

function withoutEmptyPayloads<T extends { input?: unknown; output?: unknown }>(s: T): T {
  const empty = (v: unknown, key: string) => JSON.stringify(v) === `{"${key}":{}}`;
  const out = { ...s };
  if (empty(s.input, 'input.value')) out.input = undefined;
  if (empty(s.output, 'output.value')) out.output = undefined;
  return out;
}

function omit<T extends object>(o: T, keys: readonly string[]): T {
  const out = { ...o } as Record<string, unknown>;
  for (const k of keys) delete out[k];
  return out as T;
}

const cache = new Map<string, Promise<View>>();
/** What Opik stores for `run` sent through `path` in Dify's order (computed once). */
const inOrder = (path: Path, run: DifyRun) => {
  const key = `${path}|${run.name}`;
  if (!cache.has(key)) cache.set(key, storedVia(requestsOf(path, run)).then(view));
  return cache.get(key)!;
};

/**
 * The runs a path sends something for: Dify's Aliyun provider raises on a dashed X-Trace-Id and
 * sends nothing of that run, and sends no conversation naming, nor does the legacy Phoenix
 * dialect (its `message_data` is always None). A worker per task matters for messages only.
 */
function runsOf(path: Path): DifyRun[] {
  return RUNS.filter(
    (r) =>
      requestsOf(path, r).length > 0 &&
      !(
        path === 'phoenix, a worker per task' && r.envelopes.every((e) => e.startsWith('workflow'))
      ),
  );
}

const PATHS = Object.keys(GAPS) as Array<Exclude<Path, 'envelope'>>;

describe.concurrent('every path stores what the envelope path stores, but for what it cannot carry', () => {
  for (const path of PATHS) {
    it.each(runsOf(path).map((r) => [r.name, r] as const))(`${path}: %s`, async (_n, run) => {
      const envelope = withGaps(await inOrder('envelope', run), GAPS[path], run, 'envelope');
      const got = withGaps(await inOrder(path, run), GAPS[path], run, 'path');
      expect(got.spans.length).toBeGreaterThan(0);
      expect(got).toEqual(envelope);
    });
  }
});

describe('Aliyun 1.17: the ReAct steps of an agent node', () => {
  it('hang under the agent node with their thoughts (llm) and tool calls (tool), ids stable', async () => {
    const run = RUNS.find((r) => r.name === 'a chatflow with an iteration')!;
    const { spans } = await inOrder('aliyun 1.17', run);
    const react = spans
      .filter((s) => /^ROUND \d$|Thought$|^CALL /.test(String(s.name)))
      .map(({ name, type, parent, model, provider, usage }) => ({
        name,
        type,
        parent,
        model,
        provider,
        usage,
      }));
    expect(react).toEqual([
      {
        name: 'ROUND 1',
        type: 'general',
        parent: 'Planner agent',
        model: undefined,
        provider: undefined,
        usage: undefined,
      },
      {
        name: 'gpt-4o-mini Thought',
        type: 'llm',
        parent: 'ROUND 1',
        model: 'gpt-4o-mini',
        provider: 'openai',
        usage: { total_tokens: 802 },
      },
      {
        name: 'CALL google_search',
        type: 'tool',
        parent: 'ROUND 1',
        model: undefined,
        provider: undefined,
        usage: undefined,
      },
      {
        name: 'gpt-4o-mini Thought',
        type: 'llm',
        parent: 'ROUND 2',
        model: 'gpt-4o-mini',
        provider: 'openai',
        usage: { total_tokens: 926 },
      },
      {
        name: 'ROUND 2',
        type: 'general',
        parent: 'Planner agent',
        model: undefined,
        provider: undefined,
        usage: undefined,
      },
    ]);
    // The same spans, with the same ids, from another send (the provider's ids are random).
    const again = view(await storedVia(requestsOf('aliyun 1.17', run)));
    expect(again.spans.filter((s) => /^ROUND|Thought$|^CALL/.test(String(s.name)))).toEqual(
      spans.filter((s) => /^ROUND|Thought$|^CALL/.test(String(s.name))),
    );
  });
});

describe.concurrent('what Opik stores does not depend on the order, and re-sending changes nothing', () => {
  for (const path of ['envelope', ...PATHS] as const) {
    it.each(runsOf(path).map((r, i) => [r.name, r, i] as const))(
      `${path}: %s`,
      async (_n, run, i) => {
        // The run sent twice (the providers' second time with new OTel ids), all in one shuffle.
        // Span by span: Aliyun's batches may split a trace anywhere.
        const twice = bySpan([...requestsOf(path, run), ...requestsOf(path, run)]);
        const requests = shuffled(twice, 1300 + i);
        expect(view(await storedVia(requests))).toEqual(await inOrder(path, run));
      },
    );
  }
});
