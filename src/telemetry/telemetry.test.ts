import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createTelemetry } from './telemetry.js';

describe('telemetry', () => {
  it('counts and writes the Prometheus text', async () => {
    const t = createTelemetry();
    t.receiverAcceptedSpans.inc({ receiver: 'otlp', transport: 'http' }, 3);
    t.gauge('otelcol_test_gauge', 'A gauge.', ['x'], (g) => g.set({ x: 'a' }, 7));
    const text = await t.registry.metrics();
    expect(text).toContain(
      'otelcol_receiver_accepted_spans_total{receiver="otlp",transport="http"} 3',
    );
    expect(text).toContain('otelcol_test_gauge{x="a"} 7');
    expect(text).toContain('# TYPE otelcol_process_memory_rss gauge');
  });

  it("loads prom-client's metric classes, not its index (default metrics, cluster, Pushgateway)", () => {
    // The built module, in a process of its own: what the collector loads.
    const r = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { createRequire } from 'node:module';
        const { createTelemetry } = await import('./dist/telemetry/telemetry.js');
        createTelemetry();
        const loaded = Object.keys(createRequire(import.meta.url).cache);
        console.log(JSON.stringify(loaded.filter((k) => /prom-client\\/index|@opentelemetry|cluster/.test(k))));`,
      ],
      { cwd: new URL('../../', import.meta.url), encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([]);
  });
});
