import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeOpik } from '../fake-opik/server.js';
import type { Running } from './cli.js';
import { durableConfig, eventually, load, rssMiB, start, tempDir } from './durable-support.js';

const running: Running[] = [];
let fake: FakeOpik | undefined;
afterEach(async () => {
  for (const r of running.splice(0)) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  await fake?.stop();
});

/** `count` finished SDK spans with a few KB of attributes each, in one trace per 100. */
function sdkSpans(label: string, count: number) {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': label }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('overload');
  for (let i = 0; i < count; i++) {
    const span = tracer.startSpan(`${label}-${i}`, {
      attributes: { 'input.value': 'x'.repeat(2000) },
    });
    span.end();
  }
  return memory.getFinishedSpans();
}

describe('overload', () => {
  it('refuses with Retry-After, stays up and under its memory limit, and SDK clients retrying deliver everything', async () => {
    fake = await new FakeOpik().start();
    fake.latencyMs = 50;
    const limitMib = 400;
    const config = durableConfig(
      fake,
      tempDir(),
      `processors:\n  memory_limiter:\n    check_interval: 100ms\n    limit_mib: ${limitMib}\n    spike_limit_mib: 200`,
      3000,
    );
    const c = await start(`${config}`);
    running.push(c.run);
    const pid = c.run.child.pid!;
    let maxRss = 0;
    const sampler = setInterval(() => {
      maxRss = Math.max(maxRss, rssMiB(pid));
    }, 50);

    // Opik stalls: raw requests fill the queue until it refuses, recording the refusals.
    fake.down = true;
    const raw = load(c.url, 200, 'raw');
    await eventually(() => raw.refusals.length >= 3);
    await raw.stop();
    // SDK exporters, which retry on their own, offer more than the full queue takes, then Opik recovers.
    const clients = Array.from({ length: 6 }, (_, k) => {
      const exporter = new OTLPTraceExporter({ url: c.url, timeoutMillis: 60_000 });
      const spans = sdkSpans(`sdk${k}`, 1000);
      return new Promise<number>((resolve) =>
        exporter.export(spans, (r) =>
          resolve(r.code === ExportResultCode.SUCCESS ? spans.length : 0),
        ),
      );
    });
    setTimeout(() => {
      fake!.down = false;
    }, 1000);
    const delivered = await Promise.all(clients);
    clearInterval(sampler);

    expect(delivered).toEqual(Array(6).fill(1000));
    expect(raw.refusals.length).toBeGreaterThan(0);
    for (const r of raw.refusals) {
      expect([429, 503]).toContain(r.status);
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    expect(c.run.child.exitCode).toBeNull();
    expect(maxRss).toBeLessThan(limitMib);
    await eventually(() => fake!.spans().length >= 6 * 1000 + raw.acked.length, 60_000);
  }, 90_000);
});
