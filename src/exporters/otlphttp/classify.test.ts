import { describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../../errors/errors.js';
import { encodeStatusJson } from '../../otlp/json-codec.js';
import { encodeStatus } from '../../otlp/proto-codec.js';
import { classifyHttpFailure, type FailedAnswer, retryAfterMs } from './classify.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const answer = (status: number, more: Partial<FailedAnswer> = {}): FailedAnswer => ({
  status,
  retryAfter: undefined,
  contentType: '',
  body: Buffer.alloc(0),
  ...more,
});

describe('OTLP/HTTP failure classification', () => {
  it.each([429, 502, 503, 504])('HTTP %i is retryable', (status) => {
    expect(classifyHttpFailure(answer(status), 'u', NOW)).toBeInstanceOf(RetryableError);
  });

  it.each([400, 401, 403, 404, 405, 408, 413, 415, 500, 501, 505])(
    'HTTP %i is permanent',
    (status) => {
      expect(classifyHttpFailure(answer(status), 'u', NOW)).toBeInstanceOf(PermanentError);
    },
  );

  it('honours Retry-After on 429 and 503 (seconds or an HTTP date), not on 502/504', () => {
    const r = (status: number, retryAfter: string) =>
      classifyHttpFailure(answer(status, { retryAfter }), 'u', NOW) as RetryableError;
    expect(r(429, '7').retryAfterMs).toBe(7000);
    expect(r(429, '7').throttled).toBe(true);
    expect(r(503, 'Sun, 01 Mar 2026 12:00:30 GMT').retryAfterMs).toBe(30_000);
    expect(r(503, '3').throttled).toBe(false);
    expect(r(502, '3').retryAfterMs).toBeUndefined();
    expect(r(504, '3').retryAfterMs).toBeUndefined();
  });

  it('reads Retry-After forgivingly: junk is no delay, a past date is 0', () => {
    expect(retryAfterMs(undefined, NOW)).toBeUndefined();
    expect(retryAfterMs(' 12 ', NOW)).toBe(12_000);
    expect(retryAfterMs('soon', NOW)).toBeUndefined();
    expect(retryAfterMs('Sun, 01 Mar 2026 11:00:00 GMT', NOW)).toBe(0);
  });

  it('puts the server’s Status message into the error, protobuf or JSON', () => {
    const proto = classifyHttpFailure(
      answer(400, {
        contentType: 'application/x-protobuf',
        body: Buffer.from(encodeStatus({ code: 3, message: 'spans[0].traceId: bad' })),
      }),
      'http://gw/v1/traces',
      NOW,
    );
    expect(proto.message).toBe(
      'OTLP/HTTP export to http://gw/v1/traces failed: HTTP 400: spans[0].traceId: bad',
    );
    const json = classifyHttpFailure(
      answer(503, {
        contentType: 'application/json',
        body: Buffer.from(encodeStatusJson({ code: 14, message: 'queue full' })),
      }),
      'u',
      NOW,
    );
    expect(json.message).toMatch(/HTTP 503: queue full$/);
    const text = classifyHttpFailure(
      answer(502, { contentType: 'text/html', body: Buffer.from('Bad Gateway') }),
      'u',
      NOW,
    );
    expect(text.message).toMatch(/HTTP 502: Bad Gateway$/);
    const binary = classifyHttpFailure(
      answer(500, { contentType: 'application/octet-stream', body: Buffer.from([0, 1, 2]) }),
      'u',
      NOW,
    );
    expect(binary.message).toMatch(/HTTP 500$/);
  });
});
