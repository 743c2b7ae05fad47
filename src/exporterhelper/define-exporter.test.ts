import { describe, expect, it } from 'vitest';
import { RetryableError } from '../errors/errors.js';
import { makeSpan, makeTraces } from '../pdata/span.js';
import { capturingLogger } from '../testing/senders.js';
import { TestHost, testSettings } from '../testing/settings.js';
import { defineExporter } from './define-exporter.js';

const batch = makeTraces([
  makeSpan({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), name: 's' }),
]);

describe('defineExporter', () => {
  it('says when a push fails and the sender gets the error, then when pushes work again', async () => {
    const { logger, lines } = capturingLogger();
    const settings = { ...testSettings('exporter', 'file'), logger };
    let fail: Error | undefined = new RetryableError('ERR_EXPORT_FAILED', 'disk full');
    const exporter = defineExporter(settings, {
      push: async () => {
        if (fail) throw fail;
      },
    });
    const host = new TestHost();
    await exporter.start(host);
    await expect(exporter.consume(batch)).rejects.toThrow('disk full');
    await expect(exporter.consume(batch)).rejects.toThrow('disk full');
    fail = undefined;
    await exporter.consume(batch);
    fail = new RetryableError('ERR_SHUTTING_DOWN', 'the exporter is shutting down');
    await expect(exporter.consume(batch)).rejects.toThrow('shutting down');
    await exporter.shutdown();
    expect(lines.map((l) => l.msg)).toEqual([
      'export failing: disk full; given up; the sender gets the error (and may send again)',
      expect.stringMatching(/^delivering again after \d+ms of failures$/),
    ]);
    expect(host.reports.map((r) => r.state)).toEqual(['recoverable_error', 'ok']);
  });
});
