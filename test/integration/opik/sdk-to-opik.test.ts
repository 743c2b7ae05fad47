import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { afterEach, describe, expect, it } from 'vitest';
import { otlpConfigSchema } from '../../../src/receivers/otlp/config.js';
import { createOtlpReceiver, type OtlpReceiver } from '../../../src/receivers/otlp/receiver.js';
import { TestHost, testSettings } from '../../../src/testing/settings.js';
import { type FakeOpik, startFakeOpik } from '../../fake-opik/server.js';
import { OPIK_2_1, OPIK_2_2 } from '../../fake-opik/version.js';
import { recordAgentRun, sdkTracer } from '../../support/sdk-spans.js';
import { startExporter } from './harness.js';

let fake: FakeOpik | undefined;
let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await receiver?.shutdown();
  await fake?.stop();
});

describe('OpenTelemetry JS SDK → otlp receiver → opik exporter → Opik', () => {
  it.each([OPIK_2_1, OPIK_2_2])(
    'lands an instrumented service’s agent run in Opik %s as one trace with typed spans',
    async (version) => {
      fake = await startFakeOpik({ version });
      const { exporter } = await startExporter(fake);
      const config = otlpConfigSchema.parse({ protocols: { http: { endpoint: '127.0.0.1:0' } } });
      receiver = createOtlpReceiver(testSettings('receiver', 'otlp'), config, exporter);
      await receiver.start(new TestHost());
      const { tracer, provider } = sdkTracer(
        new OTLPTraceExporter({ url: `http://${receiver.addresses.http}/v1/traces` }),
      );
      recordAgentRun(tracer, Date.now());
      await provider.forceFlush();
      await provider.shutdown();
      await exporter.shutdown();

      expect(fake.traces()).toEqual([
        expect.objectContaining({
          name: 'agent run',
          thread_id: 'conv-42',
          tags: ['agent', 'kyoto'],
        }),
      ]);
      const spans = Object.fromEntries(fake.spans().map((s) => [s.name, s]));
      expect(Object.keys(spans).sort()).toEqual([
        'GET /forecast',
        'agent run',
        'chat gpt-4.1-mini',
        'weather lookup',
      ]);
      expect(spans['chat gpt-4.1-mini']).toMatchObject({
        type: 'llm',
        provider: 'openai',
        usage: { total_tokens: 168 },
      });
      expect(spans['weather lookup']).toMatchObject({ type: 'tool' });
      expect(spans['GET /forecast']).toMatchObject({
        error_info: { exception_type: 'FetchError' },
      });
      expect(new Set(fake.spans().map((s) => s.trace_id)).size).toBe(1);
    },
  );
});
