import { describe, expect, it } from 'vitest';
import { classify, retryAfterMs } from './classify.js';

const NOW = Date.parse('2026-11-20T10:00:00Z');
const answer = (status: number, body = '', headers: Record<string, string> = {}) => ({
  status,
  body,
  headers,
});

describe('classify', () => {
  it.each([
    [200, 'otlp', 'ok'],
    [204, 'rest', 'ok'],
    [408, 'rest', 'retry'],
    [429, 'otlp', 'retry'],
    [500, 'otlp', 'retry'],
    [502, 'rest', 'retry'],
    [503, 'rest', 'retry'],
    [504, 'otlp', 'retry'],
    [402, 'rest', 'retry'],
    [401, 'otlp', 'refused'],
    [403, 'rest', 'refused'],
    [404, 'otlp', 'unusable'],
    [405, 'otlp', 'unusable'],
    [415, 'otlp', 'unusable'],
    [501, 'otlp', 'unusable'],
    [404, 'rest', 'refused'],
    [400, 'otlp', 'split'],
    [400, 'rest', 'split'],
    [413, 'rest', 'split'],
    [422, 'rest', 'split'],
    [409, 'otlp', 'reject'],
    [431, 'rest', 'reject'],
  ] as const)('HTTP %i on the %s path → %s', (status, path, kind) => {
    expect(classify(answer(status), path, NOW).kind).toBe(kind);
  });

  it('treats "Workspace not found" as refused credentials, not a missing OTLP route', () => {
    const v = classify(answer(404, '{"code":404,"message":"Workspace not found"}'), 'otlp', NOW);
    expect(v).toEqual({ kind: 'refused', reason: 'HTTP 404: Workspace not found' });
  });

  it('names Opik’s error in the reason, both body shapes', () => {
    expect(
      classify(
        answer(
          400,
          '{"code":400,"message":"Invalid UUID for id","details":"Span id must be a version 7 UUID"}',
        ),
        'rest',
        NOW,
      ),
    ).toEqual({
      kind: 'split',
      reason: 'HTTP 400: Invalid UUID for id: Span id must be a version 7 UUID',
    });
    expect(classify(answer(422, '{"errors":["a","b"]}'), 'rest', NOW)).toEqual({
      kind: 'split',
      reason: 'HTTP 422: a; b',
    });
  });

  it('marks a 429 as throttled with its delay', () => {
    expect(classify(answer(429, '', { 'retry-after': '7' }), 'rest', NOW)).toMatchObject({
      kind: 'retry',
      retryAfterMs: 7000,
      throttled: true,
    });
  });

  it.each([
    [{ 'retry-after': '120' }, 429, 120_000],
    [{ 'retry-after': 'Fri, 20 Nov 2026 10:00:30 GMT' }, 503, 30_000],
    [{ 'retry-after': 'Fri, 20 Nov 2026 09:00:00 GMT' }, 503, 0],
    [{ 'ratelimit-reset': '3' }, 429, 3000],
    [{ 'ratelimit-reset': '3' }, 503, undefined],
    [{ 'retry-after': 'soon' }, 503, undefined],
    [{}, 503, undefined],
  ])('reads %j on a %i as %s ms', (headers, status, expected) => {
    expect(retryAfterMs(answer(status, '', headers), NOW)).toBe(expected);
  });
});
