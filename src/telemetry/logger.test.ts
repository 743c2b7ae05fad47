import { describe, expect, it } from 'vitest';
import { consoleLine, isoTime } from './logger.js';

describe('console log encoding', () => {
  it('writes time, level, component, message and the other fields, tab-separated', () => {
    const json = JSON.stringify({
      level: 'warn',
      time: '2026-01-01T00:00:00.000Z',
      service: 'dify-opik-collector',
      component: 'exporter/opik',
      kind: 'ERR_EXPORT_FAILED:503',
      msg: 'export failing: Opik answered HTTP 503',
    });
    expect(consoleLine(json)).toBe(
      '2026-01-01T00:00:00.000Z\twarn\texporter/opik\texport failing: Opik answered HTTP 503\t{"kind":"ERR_EXPORT_FAILED:503"}',
    );
  });

  it('marks a line without a component, and leaves out empty fields', () => {
    const json = '{"level":"info","time":"t","service":"s","msg":"collector stopped"}';
    expect(consoleLine(json)).toBe('t\tinfo\t-\tcollector stopped');
  });
});

describe('log time', () => {
  it('is what toISOString writes', () => {
    for (const t of [
      0, 1_767_225_600_000, 1_767_225_599_999, 951_782_400_123, 253_402_300_799_999,
    ]) {
      expect(isoTime(t)).toBe(`,"time":"${new Date(t).toISOString()}"`);
    }
  });
});
