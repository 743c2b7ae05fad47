import { describe, expect, it } from 'vitest';
import { readBatch, readSingle } from './items.js';
import { parseLossless } from './lossless-json.js';

const newId = () => '019ad8f1-3a40-7fff-8000-00000000ffff';
const TRACE = '019ad8f1-3a40-7000-8000-000000000001';

describe('reading Opik writes as Jackson does', () => {
  it('coerces scalars into strings and numbers, matches enums loosely, truncates float usage', () => {
    const body = parseLossless(
      `{"spans":[{"trace_id":"${TRACE.toUpperCase()}","name":42,"type":"LLM","source":"SDK","start_time":"2026-12-01T09:00:00Z","usage":{"prompt_tokens":"12","completion_tokens":3.9},"total_estimated_cost":"0.25","unknown":"ignored"}]}`,
    );
    const [item] = readBatch(body, 'span', newId) as never[];
    expect(item).toMatchObject({
      id: newId(),
      traceId: TRACE,
      name: '42',
      type: 'llm',
      source: 'sdk',
      usage: [
        ['prompt_tokens', 12],
        ['completion_tokens', 3],
      ],
      totalEstimatedCost: 0.25,
    });
    expect(item).not.toHaveProperty('unknown');
  });

  it('keeps the newest of items sharing an id and last_updated_at, as Opik de-duplicates a batch', () => {
    const item = (name: string, at: string) =>
      `{"id":"${TRACE}","name":"${name}","start_time":"2026-12-01T09:00:00Z","last_updated_at":"${at}"}`;
    const body = parseLossless(
      `{"traces":[${item('old', '2026-12-01T09:00:01Z')},${item('new', '2026-12-01T09:00:02Z')},${item('older', '2026-12-01T09:00:00Z')}]}`,
    );
    expect((readBatch(body, 'trace', newId) as Array<{ name: string }>).map((i) => i.name)).toEqual(
      ['new'],
    );
  });

  it('refuses usage beyond int32 as Jackson does', () => {
    const body = parseLossless(`{"usage":{"total_tokens":3000000000},"trace_id":"${TRACE}"}`);
    expect(readSingle(body, { entity: 'span', update: true }, TRACE, newId)).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('out of range of int') },
    });
  });

  it('checks update tags against Opik’s limit', () => {
    const tags = Array.from({ length: 51 }, (_, i) => `t${i}`);
    expect(
      readSingle(
        parseLossless(JSON.stringify({ tags })),
        { entity: 'trace', update: true },
        TRACE,
        newId,
      ),
    ).toEqual({
      status: 422,
      body: { errors: ['Tag limit exceeded: maximum 50 tags per item'] },
    });
  });
});
