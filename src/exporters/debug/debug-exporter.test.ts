import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RetryableError } from '../../errors/errors.js';
import { makeSpan, makeTraces } from '../../pdata/span.js';
import { testSettings } from '../../testing/settings.js';
import { createDebugExporter } from './debug-exporter.js';

const batch = (n: number) =>
  makeTraces(
    Array.from({ length: n }, (_, i) =>
      makeSpan({ traceId: 'a'.repeat(32), spanId: `${i}`.padStart(16, '0'), name: `s${i}` }),
    ),
  );

describe('debug exporter', () => {
  it('writes each batch whole, in order, even when batches arrive together', async () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    const exporter = createDebugExporter(
      testSettings('exporter', 'debug'),
      { verbosity: 'normal' },
      out,
    );
    await Promise.all([exporter.consume(batch(2)), exporter.consume(batch(3))]);
    expect(chunks).toHaveLength(2);
    expect(chunks[0]!.split('\n')).toHaveLength(4); // summary + 2 spans + trailing ''
    expect(chunks[1]!.split('\n')).toHaveLength(5);
    expect(chunks[1]).toMatch(
      /^exporter\/debug traces: 1 resource spans, 1 scope spans, 3 spans\n/,
    );
  });

  it('fails a batch with a retryable error when the stream cannot be written, and counts it', async () => {
    const broken = new Writable({
      write(_chunk, _enc, cb) {
        cb(new Error('EPIPE: broken pipe'));
      },
    });
    broken.on('error', () => {}); // the write callback carries the error to the exporter
    const settings = testSettings('exporter', 'debug');
    const exporter = createDebugExporter(settings, { verbosity: 'basic' }, broken);
    const failure = exporter.consume(batch(4));
    await expect(failure).rejects.toBeInstanceOf(RetryableError);
    await expect(failure).rejects.toMatchObject({ code: 'ERR_EXPORT_FAILED' });
    const failed = await settings.telemetry.exporterSendFailedSpans.get();
    expect(failed.values).toEqual([{ value: 4, labels: { exporter: 'debug' } }]);
  });
});
