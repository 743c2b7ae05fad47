import { describe, expect, it } from 'vitest';
import { NO_LIMITS, Truncations } from '../../otlp/limits.js';
import { unpaced } from '../../pipeline/pacer.js';
import { convertBatch, convertBatchSteps } from './batch.js';
import { decodeItems, decodeItemsSteps } from './decode.js';
import { withNodes } from './test-fixtures.js';

const run = withNodes('workflow_app.json'); // 6 spans
const limits = { ...NO_LIMITS, maxSpans: 10 };
const convert = (body: string) =>
  unpaced(
    convertBatchSteps(
      decodeItemsSteps(Buffer.from(body), 'json', limits.maxDepth, limits.maxSpans),
      limits,
      new Truncations(),
    ),
  );
const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return 'no error';
};

describe('convertBatchSteps over the decoder stream', () => {
  it('gives what converting the decoded list gives', () => {
    const body = Buffer.from(JSON.stringify([run, { trace_info_type: 'dict' }, 42, run]));
    const streamed = convertBatch(decodeItemsSteps(body, 'json', NO_LIMITS.maxDepth));
    expect(streamed).toEqual(convertBatch(decodeItems(body, 'json')));
    expect(streamed.spanCount).toBe(12);
    expect(streamed.rejectedItems).toBe(1);
  });

  it('refuses a request with too many spans, once the whole body was read', () => {
    const items = JSON.stringify([run, run, run]);
    expect(codeOf(() => convert(items))).toBe('ERR_TOO_MANY_SPANS');
    // The second run already passes the limit; the flaw after the third still decides.
    expect(codeOf(() => convert(`${items.slice(0, -1)}, {"a": ]`))).toBe('ERR_BAD_REQUEST');
    expect(codeOf(() => convert(`${items} x`))).toBe('ERR_BAD_REQUEST');
  });
});
