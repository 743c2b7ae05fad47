import { Metadata, status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../../errors/errors.js';
import { encodeStatus } from '../../otlp/proto-codec.js';
import { classifyGrpcFailure } from './classify.js';

describe('OTLP/gRPC failure classification', () => {
  const retryInfo = (ms: number) => {
    const m = new Metadata();
    m.set(
      'grpc-status-details-bin',
      Buffer.from(encodeStatus({ code: 8, message: '', retryDelayMs: ms })),
    );
    return m;
  };

  it.each([
    status.CANCELLED,
    status.DEADLINE_EXCEEDED,
    status.ABORTED,
    status.OUT_OF_RANGE,
    status.UNAVAILABLE,
    status.DATA_LOSS,
  ])('code %i is retryable', (code) => {
    expect(classifyGrpcFailure({ code, details: 'x' }, 't')).toBeInstanceOf(RetryableError);
  });

  it.each([
    status.UNKNOWN,
    status.INVALID_ARGUMENT,
    status.NOT_FOUND,
    status.ALREADY_EXISTS,
    status.PERMISSION_DENIED,
    status.FAILED_PRECONDITION,
    status.UNIMPLEMENTED,
    status.INTERNAL,
    status.UNAUTHENTICATED,
    status.RESOURCE_EXHAUSTED,
  ])('code %i without RetryInfo is permanent', (code) => {
    expect(classifyGrpcFailure({ code, details: 'x' }, 't')).toBeInstanceOf(PermanentError);
  });

  it('DEADLINE_EXCEEDED is the attempt timing out, as when the exporter’s own timer fires first', () => {
    const err = classifyGrpcFailure({ code: status.DEADLINE_EXCEEDED, details: 'x' }, 't');
    expect((err as RetryableError).code).toBe('ERR_EXPORT_TIMEOUT');
    expect(
      (classifyGrpcFailure({ code: status.UNAVAILABLE, details: 'x' }, 't') as RetryableError).code,
    ).toBe('ERR_EXPORT_FAILED');
  });

  it('RESOURCE_EXHAUSTED with RetryInfo is a throttle with the server’s delay', () => {
    const err = classifyGrpcFailure(
      { code: status.RESOURCE_EXHAUSTED, details: 'slow down', metadata: retryInfo(1500) },
      'gw:4317',
    ) as RetryableError;
    expect(err).toBeInstanceOf(RetryableError);
    expect(err.retryAfterMs).toBe(1500);
    expect(err.throttled).toBe(true);
    expect(err.message).toBe('OTLP/gRPC export to gw:4317 failed: RESOURCE_EXHAUSTED: slow down');
  });

  it('UNAVAILABLE with RetryInfo waits the delay; without, the backoff alone decides', () => {
    const withDelay = classifyGrpcFailure(
      { code: status.UNAVAILABLE, details: '', metadata: retryInfo(2000) },
      't',
    ) as RetryableError;
    expect(withDelay.retryAfterMs).toBe(2000);
    expect(withDelay.throttled).toBe(false);
    const plain = classifyGrpcFailure({ code: status.UNAVAILABLE, details: '' }, 't');
    expect((plain as RetryableError).retryAfterMs).toBeUndefined();
  });
});
