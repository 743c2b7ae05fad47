import { describe, expect, it } from 'vitest';
import { createTelemetry } from '../../telemetry/telemetry.js';
import { RateSampler } from './rates.js';

describe('RateSampler', () => {
  it('reads the span counters per component, adding up a receiver’s transports', async () => {
    const t = createTelemetry();
    let now = 0;
    const rates = new RateSampler(t, () => now);
    await rates.sample();
    for (let s = 1; s <= 12; s++) {
      now = s * 1000;
      t.receiverAcceptedSpans.labels({ receiver: 'otlp', transport: 'http' }).inc(30);
      t.receiverAcceptedSpans.labels({ receiver: 'otlp', transport: 'grpc' }).inc(10);
      t.exporterSentSpans.labels({ exporter: 'opik' }).inc(s <= 6 ? 40 : 0);
      t.processorIncomingItems.labels({ processor: 'filter', pipeline: 'traces' }).inc(40);
      await rates.sample();
    }
    expect(rates.total('receiver:otlp:accepted')).toBe(480);
    expect(rates.rate('receiver:otlp:accepted')).toBe(40);
    expect(rates.total('processor:traces:filter:in')).toBe(480);
    // The last ten seconds: four with 40 spans, six with none.
    expect(rates.rate('exporter:opik:sent')).toBe(16);
    expect(rates.history('exporter:opik:sent')).toEqual([40, 40, 40, 40, 40, 40, 0, 0, 0, 0, 0, 0]);
    expect(rates.rate('receiver:dify:accepted')).toBe(0);
  });

  it('keeps one minute of history', async () => {
    const t = createTelemetry();
    let now = 0;
    const rates = new RateSampler(t, () => now);
    for (let s = 0; s < 100; s++) {
      now = s * 1000;
      await rates.sample();
    }
    expect(rates.history('exporter:opik:sent')).toHaveLength(60);
  });
});
