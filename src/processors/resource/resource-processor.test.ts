import { describe, expect, it } from 'vitest';
import { makeSpan, makeTraces } from '../../pdata/span.js';
import { processorConfigProblems, runProcessor } from '../../testing/run-processor.js';
import { resourceProcessorFactory } from './factory.js';

const traces = () =>
  makeTraces(
    [makeSpan({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), name: 's' })],
    [
      { key: 'service.name', value: 'dify-api' },
      { key: 'host.name', value: 'worker-7' },
    ],
  );

describe('resource processor', () => {
  it.each([
    [
      'upserts and deletes resource attributes',
      [
        { key: 'deployment.environment', action: 'upsert', value: 'prod' },
        { key: 'host.name', action: 'delete' },
      ],
      [
        { key: 'service.name', value: 'dify-api' },
        { key: 'deployment.environment', value: 'prod' },
      ],
    ],
    [
      'leaves a batch it does not change as it was',
      [{ key: 'missing', action: 'update', value: 'x' }],
      [
        { key: 'service.name', value: 'dify-api' },
        { key: 'host.name', value: 'worker-7' },
      ],
    ],
  ])('%s', async (_name, attributes, expected) => {
    const [out] = await runProcessor(resourceProcessorFactory, { attributes }, traces());
    expect(out!.resourceSpans[0]!.resource.attributes).toEqual(expected);
    expect(out!.resourceSpans[0]!.scopeSpans[0]!.spans).toHaveLength(1);
  });

  it('rejects a config without actions', () => {
    expect(processorConfigProblems('resource', 'attributes: []')).toEqual([
      'processors::resource::attributes: at least one action is required',
    ]);
  });
});
