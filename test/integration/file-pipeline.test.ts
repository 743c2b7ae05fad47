import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatIssue } from '../../src/errors/errors.js';
import { encodeTracesJson } from '../../src/otlp/json-codec.js';
import { makeSpan, makeTraces } from '../../src/pdata/span.js';
import { heads, resolveYaml, startYaml } from './support/pipeline.js';

const config = (path: string, fileExtra = '') => `
receivers:
  capture:
processors:
  batch:
    send_batch_size: 100
    timeout: 10m
exporters:
  file:
    path: ${path}
${fileExtra}
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [capture]
      processors: [batch]
      exporters: [file]
`;

const spans = (names: string[]) =>
  makeTraces(
    names.map((name, i) =>
      makeSpan({ traceId: 'd'.repeat(32), spanId: `${i + 1}`.padStart(16, '0'), name }),
    ),
  );

describe('file exporter in a running pipeline', () => {
  it('receives what the batch processor held when the collector shuts down, as one line', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'file-pipeline-')), 'out', 'traces.json');
    const collector = await startYaml(config(path, '    rotation:'));
    const head = heads.get('capture')!;
    const answers = [head.consume(spans(['a', 'b'])), head.consume(spans(['c']))];
    await collector.shutdown();
    await Promise.all(answers);
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('');
    const merged = JSON.parse(lines[0]!) as { resourceSpans: unknown[] };
    expect(merged.resourceSpans).toHaveLength(2);
    expect(lines[0]).toBe(
      encodeTracesJson({
        resourceSpans: [...spans(['a', 'b']).resourceSpans, ...spans(['c']).resourceSpans],
      }),
    );
  });

  it('refuses append together with rotation at config time', () => {
    const yaml = config('/tmp/x.json', '    append: true\n    rotation:\n      max_days: 3');
    let issues: string[] = [];
    try {
      resolveYaml(yaml);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      issues = err.issues.map((i) => formatIssue({ ...i, file: undefined }));
    }
    expect(issues).toEqual([
      'exporters::file::append: append and rotation enabled at the same time is not supported; a rotated file is always continued, so drop append',
    ]);
  });
});
