/**
 * Spans shaped as each source emits them (test/fixtures/genai) through the `genai` processor and
 * the `opik` exporter into the fake Opik, with the stored Opik objects checked field by field.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Traces } from '../../../src/pdata/traces.js';
import { PhoenixLegacy } from '../../fixtures/genai/dify/phoenix-legacy.js';
import { aliyun, phoenixLegacy, phoenixUnified, RUNS } from '../../fixtures/genai/dify/runs.js';
import { openInference } from '../../fixtures/genai/openinference.js';
import { openLlmetry } from '../../fixtures/genai/openllmetry.js';
import { vercelAi } from '../../fixtures/genai/vercel-ai.js';
import { fakes, normalized, storedInOpik } from './harness.js';

afterAll(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

type Row = Record<string, unknown>;
/** What a person sees of each span in Opik, with parents by name instead of id. */
function view(spans: Row[]) {
  const nameOf = (id: unknown) => spans.find((s) => s.id === id)?.name ?? 'ROOT';
  return spans
    .map((s) => ({
      name: s.name,
      type: s.type,
      parent: s.parent_span_id ? nameOf(s.parent_span_id) : 'ROOT',
      model: s.model,
      provider: s.provider,
      usage: s.usage,
      input: s.input,
      output: s.output,
      tags: s.tags,
    }))
    .sort((a, b) => String(a.name).localeCompare(String(b.name)));
}
const meta = (s: Row) => ((s.metadata as Row)['opik.metadata'] ?? {}) as Row;
const named = (spans: Row[], name: string) => spans.find((s) => s.name === name)!;

describe('genai → opik exporter → Opik', () => {
  it('OpenInference: kinds, model, provider, token counts, session, tags, metadata, documents', async () => {
    const { traces, spans } = await storedInOpik([openInference()]);
    expect(view(spans)).toEqual([
      {
        name: 'ChatCompletion',
        type: 'llm',
        parent: 'plan trip',
        model: 'gpt-4o-mini-2024-07-18',
        provider: 'openai',
        usage: { prompt_tokens: 25, completion_tokens: 12, total_tokens: 37 },
        input: {
          'input.value': {
            messages: [{ role: 'user', content: '3 days in Kyoto?' }],
            model: 'gpt-4o-mini',
          },
        },
        output: {
          'output.value': {
            choices: [{ message: { role: 'assistant', content: 'Day 1: Fushimi Inari' } }],
          },
        },
        tags: undefined,
      },
      {
        name: 'get_weather',
        type: 'tool',
        parent: 'plan trip',
        model: undefined,
        provider: undefined,
        usage: undefined,
        input: { 'input.value': { city: 'Kyoto' } },
        output: { 'output.value': { forecast: 'sunny' } },
        tags: undefined,
      },
      {
        name: 'plan trip',
        type: 'general',
        parent: 'ROOT',
        model: undefined,
        provider: undefined,
        usage: undefined,
        input: { 'input.value': { question: '3 days in Kyoto?' } },
        output: { 'output.value': 'Day 1: Fushimi Inari' },
        tags: ['beta', 'travel'],
      },
      {
        name: 'retrieve',
        type: 'tool',
        parent: 'plan trip',
        model: undefined,
        provider: undefined,
        usage: undefined,
        input: { 'input.value': 'temples in Kyoto' },
        output: {
          'output.value': {
            documents: [
              { id: 'doc-1', content: 'Kiyomizu-dera is...', score: 0.92 },
              { id: 'doc-2', content: 'Kinkaku-ji is...', score: 0.88 },
            ],
          },
        },
        tags: undefined,
      },
    ]);
    expect(traces).toEqual([
      expect.objectContaining({
        name: 'plan trip',
        thread_id: 'conv-42',
        tags: ['beta', 'travel'],
      }),
    ]);
    expect(meta(named(spans, 'plan trip'))).toMatchObject({
      'user.id': 'user-7',
      tenant: 'acme',
      release: '2026.11',
    });
    expect(meta(named(spans, 'ChatCompletion'))).toMatchObject({
      'llm.invocation_parameters': '{"temperature":0.2}',
    });
    // Nothing of the source vocabulary is left to fall into Opik's input.
    for (const s of spans) expect(Object.keys(s.input as Row)).toEqual(['input.value']);
  });

  it('OpenLLMetry: indexed prompts and completions, old token names, traceloop entities', async () => {
    const { spans } = await storedInOpik([openLlmetry()]);
    expect(view(spans)).toEqual([
      {
        name: 'answer_ticket.workflow',
        type: 'general',
        parent: 'ROOT',
        model: undefined,
        provider: undefined,
        usage: undefined,
        input: { 'input.value': { args: ['Where is my order?'], kwargs: {} } },
        output: { 'output.value': 'It ships tomorrow.' },
        tags: undefined,
      },
      {
        name: 'openai.chat',
        type: 'llm',
        parent: 'answer_ticket.workflow',
        model: 'gpt-4.1-2025-04-14',
        provider: 'openai',
        usage: { prompt_tokens: 30, completion_tokens: 6, total_tokens: 36 },
        input: {
          'input.value': {
            messages: [
              { role: 'system', content: 'You are a support agent.' },
              { role: 'user', content: 'Where is my order?' },
            ],
          },
        },
        output: {
          'output.value': {
            messages: [{ role: 'assistant', content: 'It ships tomorrow.', finish_reason: 'stop' }],
          },
        },
        tags: undefined,
      },
    ]);
    expect((named(spans, 'answer_ticket.workflow').metadata as Row)['gen_ai.operation.name']).toBe(
      'invoke_workflow',
    );
    expect(meta(named(spans, 'answer_ticket.workflow'))).toMatchObject({
      'traceloop.association.properties.customer': 'c-9',
    });
  });

  it('Vercel AI SDK: the provider call is the llm span, tool calls are tools', async () => {
    const { spans } = await storedInOpik([vercelAi()]);
    const v = view(spans);
    expect(v.map((s) => [s.name, s.type, s.parent, s.model, s.provider, s.usage])).toEqual([
      ['ai.generateText', 'general', 'ROOT', undefined, undefined, undefined],
      [
        'ai.generateText.doGenerate',
        'llm',
        'ai.generateText',
        'gpt-4o-2024-08-06',
        'openai',
        { prompt_tokens: 40, completion_tokens: 9, total_tokens: 49 },
      ],
      ['ai.toolCall', 'tool', 'ai.generateText', undefined, undefined, undefined],
    ]);
    expect(named(spans, 'ai.generateText.doGenerate').input).toEqual({
      'input.value': {
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] }],
      },
    });
    expect(named(spans, 'ai.toolCall')).toMatchObject({
      input: { 'input.value': { city: 'Paris' } },
      output: { 'output.value': { sky: 'sunny' } },
    });
    expect(meta(named(spans, 'ai.generateText'))).toMatchObject({
      userTier: 'pro',
      'ai.telemetry.functionId': 'chat-route',
    });
  });

  it('Dify’s Aliyun provider: string token counts become usage, plugin provider reduced, session is the thread', async () => {
    const chat = RUNS.find((r) => r.name === 'a chat message with moderation and suggestions')!;
    const { traces, spans } = await storedInOpik(aliyun(chat, '1.17'));
    expect(named(spans, 'llm')).toMatchObject({
      type: 'llm',
      model: 'gpt-4o-mini',
      provider: 'openai',
      usage: { prompt_tokens: 642, completion_tokens: 187, total_tokens: 829 },
    });
    expect(traces).toEqual([
      expect.objectContaining({
        name: 'message',
        thread_id: '5bd5112f-6556-4967-a100-aeaf5c4bf011',
      }),
    ]);
  });

  it.each([
    ['OpenInference', openInference],
    ['OpenLLMetry', openLlmetry],
    ['Vercel AI', vercelAi],
  ] as Array<[string, () => Traces]>)('is idempotent on %s spans', async (_name, fixture) => {
    const once = await normalized([fixture()]);
    expect(await normalized(once)).toEqual(once);
  });

  it.each([
    ['Aliyun', (run: (typeof RUNS)[number]) => aliyun(run, '1.17')],
    ['Phoenix', (run: (typeof RUNS)[number]) => phoenixLegacy(run)],
    ['unified Phoenix', (run: (typeof RUNS)[number]) => phoenixUnified(run)],
  ])('is idempotent on Dify’s %s spans', async (_name, send) => {
    for (const run of RUNS) {
      const once = await normalized(send(run));
      expect(await normalized(once)).toEqual(once);
    }
  });
});

describe('Dify with no code change: the "Arize Phoenix" provider', () => {
  it('drops the api_check span Dify sends when the provider is saved', async () => {
    const provider = new PhoenixLegacy();
    provider.apiCheck(1_781_000_000_000_000_000n);
    expect(provider.requests).toHaveLength(1);
    expect(await normalized(provider.requests)).toEqual([]);
  });
});
