import { mkdtempSync, readFileSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeTracesJson } from '../../otlp/json-codec.js';
import { makeSpan, makeTraces } from '../../pdata/span.js';
import { TestHost, testSettings } from '../../testing/settings.js';
import { createFileExporter } from './file-exporter.js';

const batch = (n: number, name: string) =>
  makeTraces(
    Array.from({ length: n }, (_, i) =>
      makeSpan({
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: `${i + 1}`.padStart(16, '0'),
        name,
        attributes: [{ key: 'gen_ai.usage.input_tokens', value: BigInt(i) }],
      }),
    ),
    [{ key: 'service.name', value: 'dify' }],
  );

function exporter(extra: { append?: boolean } = {}) {
  const path = join(mkdtempSync(join(tmpdir(), 'file-exporter-')), 'traces.json');
  const settings = testSettings('exporter', 'file');
  const e = createFileExporter(settings, {
    path,
    append: false,
    flush_interval: 1000,
    ...extra,
  });
  return { e, path, settings };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('file exporter', () => {
  it('writes each batch as one OTLP/JSON request on its own line', async () => {
    const { e, path, settings } = exporter();
    await e.start(new TestHost());
    const batches = [batch(2, 'workflow'), batch(3, 'llm'), batch(1, 'tool')];
    await Promise.all(batches.map((b) => e.consume(b)));
    await e.shutdown();
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.sort()).toEqual(batches.map(encodeTracesJson).sort());
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty('resourceSpans');
    const sent = await settings.telemetry.exporterSentSpans.get();
    expect(sent.values).toEqual([{ value: 6, labels: { exporter: 'file' } }]);
  });

  it('fails a batch it could not write as retryable, counts it, and leaves no trace of it', async () => {
    const { e, path, settings } = exporter();
    await e.start(new TestHost());
    await e.consume(batch(1, 'kept'));
    const fh = await open(fileURLToPath(import.meta.url), 'r');
    await fh.close();
    const proto = Object.getPrototypeOf(fh) as FileHandle;
    vi.spyOn(proto, 'write').mockRejectedValueOnce(new Error('ENOSPC: no space left on device'));
    await expect(e.consume(batch(4, 'lost'))).rejects.toMatchObject({
      name: 'RetryableError',
      code: 'ERR_EXPORT_FAILED',
    });
    const failed = await settings.telemetry.exporterSendFailedSpans.get();
    expect(failed.values).toEqual([{ value: 4, labels: { exporter: 'file' } }]);
    await e.shutdown();
    expect(readFileSync(path, 'utf8')).toBe(`${encodeTracesJson(batch(1, 'kept'))}\n`);
  });

  it('refuses data after shutdown with a retryable error', async () => {
    const { e } = exporter();
    await e.start(new TestHost());
    await e.shutdown();
    await expect(e.consume(batch(1, 'late'))).rejects.toMatchObject({ code: 'ERR_SHUTTING_DOWN' });
  });

  it('fails to start, naming the path, when the file cannot be opened', async () => {
    const settings = testSettings('exporter', 'file');
    const blocker = join(mkdtempSync(join(tmpdir(), 'file-exporter-')), 'a-file');
    await (await open(blocker, 'w')).close();
    const e = createFileExporter(settings, {
      path: join(blocker, 'traces.json'),
      append: false,
      flush_interval: 1000,
    });
    await expect(e.start(new TestHost())).rejects.toThrow(/a-file/);
  });
});
