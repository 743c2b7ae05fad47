import { describe, expect, it } from 'vitest';
import { replyFor } from '../server/status.js';
import {
  asRetryable,
  CollectorError,
  isPermanent,
  PermanentError,
  RetryableError,
} from './errors.js';

describe('error classification', () => {
  it('finds a permanent error anywhere on the cause chain', () => {
    const inner = new PermanentError('ERR_EXPORT_REJECTED', 'bad item');
    expect(isPermanent(new Error('wrapped', { cause: inner }))).toBe(true);
    expect(isPermanent(new Error('plain'))).toBe(false);
  });

  it('finds the retry delay on a wrapped retryable error', () => {
    const inner = new RetryableError('ERR_EXPORT_FAILED', 'busy', { retryAfterMs: 2500 });
    expect(asRetryable(new Error('wrapped', { cause: inner }))?.retryAfterMs).toBe(2500);
  });

  it.each([
    ['a bad request', new PermanentError('ERR_BAD_REQUEST', 'x'), 400, 3, undefined],
    [
      'an unsupported type',
      new PermanentError('ERR_UNSUPPORTED_MEDIA_TYPE', 'x'),
      415,
      3,
      undefined,
    ],
    ['a body too large', new PermanentError('ERR_BODY_TOO_LARGE', 'x'), 413, 8, undefined],
    ['a missing token', new CollectorError('ERR_UNAUTHENTICATED', 'x'), 401, 16, undefined],
    [
      'a permanent pipeline failure',
      new PermanentError('ERR_EXPORT_REJECTED', 'x'),
      500,
      13,
      undefined,
    ],
    ['a refusal', new RetryableError('ERR_PIPELINE_REFUSED', 'x'), 503, 14, 1],
    [
      'a refusal with a delay',
      new RetryableError('ERR_PIPELINE_REFUSED', 'x', { retryAfterMs: 4200 }),
      503,
      14,
      5,
    ],
    ['a throttle', new RetryableError('ERR_PIPELINE_REFUSED', 'x', { throttled: true }), 429, 8, 1],
    ['anything unclassified', new Error('boom'), 503, 14, 1],
  ])('answers %s with HTTP %i, gRPC %i', (_name, err, http, grpc, retryAfter) => {
    const reply = replyFor(err);
    expect([reply.httpStatus, reply.grpcCode, reply.retryAfterSeconds]).toEqual([
      http,
      grpc,
      retryAfter,
    ]);
  });
});
