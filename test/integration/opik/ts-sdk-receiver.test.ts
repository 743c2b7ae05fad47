/**
 * The real TypeScript SDK (npm `opik` 2.0.40) writing traces, spans, updates and a feedback score
 * once straight into the fake Opik and once through the collector (`opik` receiver → `opik`
 * exporter, the rest relayed): Opik ends up with the same objects, on Opik 2.1 and 2.2.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpik, startFakeOpik } from '../../fake-opik/server.js';
import { OPIK_2_1, OPIK_2_2 } from '../../fake-opik/version.js';
import { comparable } from './harness.js';
import { startCollector } from './receiver-harness.js';

type OpikModule = typeof import('opik');
let opik: OpikModule;
beforeAll(async () => {
  process.env.OPIK_LOG_LEVEL = 'ERROR';
  opik = await import('opik');
});

const fakes: FakeOpik[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 9, 0, s, 250));
const IDS = {
  trace: '019ad8f1-3a40-7000-8000-000000000001',
  chat: '019ad8f1-3a40-7000-8000-000000000002',
  tool: '019ad8f1-3a40-7000-8000-000000000003',
  other: '019ad8f1-3a40-7000-8000-000000000004',
};

/** What an application does with the SDK: create, flush, then update what was flushed, score it. */
async function writeWithSdk(apiUrl: string): Promise<void> {
  const client = new opik.Opik({
    apiUrl,
    apiKey: 'sdk-key',
    workspaceName: 'default',
    projectName: 'weather-agent',
  });
  const trace = client.trace({
    id: IDS.trace,
    name: 'agent run',
    startTime: at(0),
    input: { question: 'Wetter in Kyōto? 🌧' },
    metadata: { release: '2026.12', temperature: 0.5, retries: 0 },
    tags: ['agent', 'kyoto'],
    threadId: 'conv-42',
  });
  const chat = trace.span({
    id: IDS.chat,
    name: 'chat gpt-4.1-mini',
    type: 'llm',
    startTime: at(1),
    endTime: at(3),
    input: { messages: [{ role: 'user', content: 'Wetter in Kyōto?' }] },
    output: { text: 'Rain, 14 °C' },
    model: 'gpt-4.1-mini',
    provider: 'openai',
    usage: { prompt_tokens: 120, completion_tokens: 48, total_tokens: 168 },
  });
  trace.span({
    id: IDS.tool,
    parentSpanId: IDS.chat,
    name: 'weather lookup',
    type: 'tool',
    startTime: at(2),
    input: { city: 'Kyoto' },
    errorInfo: { exceptionType: 'FetchError', message: 'timeout', traceback: 'at fetch()' },
  });
  client.trace({ id: IDS.other, name: 'second', startTime: at(5), projectName: 'other-project' });
  await client.flush();
  // Updates of what is already flushed go out as PATCHes.
  trace.update({
    endTime: at(4),
    output: { answer: 'Rain, 14 °C' },
    tags: ['agent', 'kyoto', 'done'],
  });
  chat.update({ metadata: { cached: false } });
  trace.score({ name: 'relevance', value: 0.9, reason: 'on topic' });
  await client.flush();
}

async function stored(fake: FakeOpik) {
  const all = (t: 'traces' | 'spans') => comparable(fake.store.rows(t));
  return {
    traces: all('traces'),
    spans: all('spans'),
    scores: fake.scores.map(({ kind, id, name, value, reason, source }) => ({
      kind,
      id,
      name,
      value,
      reason,
      source,
    })),
  };
}

describe('Opik TypeScript SDK through the opik receiver', () => {
  it.each([OPIK_2_1, OPIK_2_2])(
    'stores the same traces, spans, updates and scores as the SDK writing to Opik %s directly',
    async (version) => {
      const direct = await startFakeOpik({ version });
      const behind = await startFakeOpik({ version });
      fakes.push(direct, behind);
      await writeWithSdk(`${direct.url}/api`);

      const collector = await startCollector(behind);
      closers.push(() => collector.close());
      await writeWithSdk(`${collector.url}/api`);
      await collector.close();

      const want = await stored(direct);
      expect(want.traces).toHaveLength(2);
      expect(want.spans).toHaveLength(2);
      expect(want.scores).toHaveLength(1);
      expect(want.traces.find((t) => t.id === IDS.trace)).toMatchObject({
        output: { answer: 'Rain, 14 °C' },
        end_time: '2026-12-01T09:00:04.250Z',
      });
      expect(await stored(behind)).toEqual(want);
      // The SDK's own calls reached the receiver: batches, PATCHes, the relayed score.
      const routes = behind.requests.map((r) => `${r.method} ${r.path}`);
      expect(routes).toContain('PATCH /v1/private/traces/019ad8f1-3a40-7000-8000-000000000001');
      expect(routes).toContain('PUT /v1/private/traces/feedback-scores');
    },
  );
});
