import { describe, expect, it } from 'vitest';
import {
  decodeStatusJson,
  decodeTracesResponseJson,
  encodeStatusJson,
  encodeTracesResponseJson,
} from './json-codec.js';
import {
  decodeStatus,
  decodeTracesResponse,
  encodeStatus,
  encodeTracesResponse,
} from './proto-codec.js';
import { ExportTraceServiceResponse, RetryInfo, RpcStatus } from './proto-schema.js';
import { durationFromMs, RETRY_INFO_TYPE_URL } from './replies.js';

describe('export responses', () => {
  it('are empty for full success', () => {
    expect(encodeTracesResponse()).toHaveLength(0);
    expect(encodeTracesResponseJson()).toBe('{}');
    expect(decodeTracesResponse(new Uint8Array(0))).toBeUndefined();
    expect(decodeTracesResponseJson('{}')).toBeUndefined();
  });

  it('carry a partial success both ways', () => {
    const partial = { rejectedSpans: 3, errorMessage: 'span name too long' };
    expect(decodeTracesResponse(encodeTracesResponse(partial))).toEqual(partial);
    expect(encodeTracesResponseJson(partial)).toBe(
      '{"partialSuccess":{"rejectedSpans":"3","errorMessage":"span name too long"}}',
    );
    expect(decodeTracesResponseJson(encodeTracesResponseJson(partial))).toEqual(partial);
  });

  it('write the partial success as protobufjs reads it', () => {
    const bytes = encodeTracesResponse({ rejectedSpans: 5, errorMessage: 'x' });
    const obj = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(bytes), {
      longs: Number,
    });
    expect(obj).toEqual({ partialSuccess: { rejectedSpans: 5, errorMessage: 'x' } });
  });

  it('read a partial success written by other servers (number counts, snake_case)', () => {
    expect(
      decodeTracesResponseJson('{"partial_success":{"rejected_spans":2,"error_message":"m"}}'),
    ).toEqual({ rejectedSpans: 2, errorMessage: 'm' });
    expect(decodeTracesResponseJson('{"partialSuccess":{}}')).toEqual({
      rejectedSpans: 0,
      errorMessage: '',
    });
  });

  it('reject a malformed response with a located message', () => {
    expect(() => decodeTracesResponseJson('{"partialSuccess":{"rejectedSpans":"many"}}')).toThrow(
      'partialSuccess.rejectedSpans: expected a 64-bit integer, got "many"',
    );
    expect(() => decodeTracesResponse(Uint8Array.from([0x0a, 0x09]))).toThrow(
      /^invalid protobuf: index out of range/,
    );
  });
});

describe('error statuses', () => {
  it('pack RetryInfo into details as a google.protobuf.Any', () => {
    const bytes = encodeStatus({ code: 14, message: 'queue full', retryDelayMs: 1500 });
    const status = RpcStatus.toObject(RpcStatus.decode(bytes), { longs: Number });
    expect(status.code).toBe(14);
    expect(status.message).toBe('queue full');
    expect(status.details).toHaveLength(1);
    expect(status.details[0].type_url).toBe(RETRY_INFO_TYPE_URL);
    const info = RetryInfo.toObject(RetryInfo.decode(status.details[0].value), { longs: Number });
    expect(info).toEqual({ retryDelay: { seconds: 1, nanos: 500_000_000 } });
  });

  it('write the bytes protobufjs writes', () => {
    for (const s of [
      { code: 14, message: 'unavailable', retryDelayMs: 2500 },
      { code: 8, message: '', retryDelayMs: 0 },
      { code: 0, message: 'é', retryDelayMs: 0.5 },
      { code: 3, message: 'bad request' },
    ]) {
      const { seconds, nanos } = durationFromMs(s.retryDelayMs ?? 0);
      const details =
        s.retryDelayMs === undefined
          ? []
          : [
              {
                type_url: RETRY_INFO_TYPE_URL,
                value: RetryInfo.encode({
                  retryDelay: { seconds: seconds || undefined, nanos: nanos || undefined },
                }).finish(),
              },
            ];
      const expected = RpcStatus.encode({
        code: s.code || undefined,
        message: s.message || undefined,
        details,
      }).finish();
      expect(Buffer.from(encodeStatus(s))).toEqual(Buffer.from(expected));
    }
    for (const p of [
      { rejectedSpans: 3, errorMessage: 'x' },
      { rejectedSpans: 0, errorMessage: '' },
      { rejectedSpans: 2 ** 40, errorMessage: '' },
    ]) {
      const expected = ExportTraceServiceResponse.encode({
        partialSuccess: {
          rejectedSpans: p.rejectedSpans || undefined,
          errorMessage: p.errorMessage || undefined,
        },
      }).finish();
      expect(Buffer.from(encodeTracesResponse(p))).toEqual(Buffer.from(expected));
    }
  });

  it('round-trip with and without a retry delay', () => {
    for (const s of [
      { code: 14, message: 'unavailable', retryDelayMs: 2000 },
      { code: 8, message: 'slow down', retryDelayMs: 250 },
      { code: 3, message: 'bad request' },
      { code: 14, message: '', retryDelayMs: 0 },
    ]) {
      expect(decodeStatus(encodeStatus(s))).toEqual(s);
      expect(decodeStatusJson(encodeStatusJson(s))).toEqual(s);
    }
  });

  it('write the JSON form protojson writes', () => {
    expect(encodeStatusJson({ code: 14, message: 'try later', retryDelayMs: 1000 })).toBe(
      '{"code":14,"message":"try later","details":[' +
        '{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1s"}]}',
    );
    expect(encodeStatusJson({ code: 8, message: 'x', retryDelayMs: 1500 })).toContain(
      '"retryDelay":"1.500s"',
    );
    expect(encodeStatusJson({ code: 3, message: 'bad "id"' })).toBe(
      '{"code":3,"message":"bad \\"id\\""}',
    );
  });

  it('read RetryInfo under another type URL host and skip other details', () => {
    const json = JSON.stringify({
      code: 14,
      message: 'm',
      details: [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'X' },
        { '@type': 'example.com/google.rpc.RetryInfo', retryDelay: '0.000000001s' },
      ],
    });
    // Rounded up: a client must never retry earlier than asked.
    expect(decodeStatusJson(json)).toEqual({ code: 14, message: 'm', retryDelayMs: 1 });
  });

  it('round a fractional delay to whole milliseconds', () => {
    expect(decodeStatus(encodeStatus({ code: 14, message: '', retryDelayMs: 1.6 }))).toEqual({
      code: 14,
      message: '',
      retryDelayMs: 2,
    });
  });

  it('reject a malformed retry delay with a located message', () => {
    const json =
      '{"details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"5"}]}';
    expect(() => decodeStatusJson(json)).toThrow(
      'details[0].retryDelay: expected a duration like "1.5s", got "5"',
    );
    expect(() => decodeStatusJson('[1]')).toThrow('expected a JSON object at the top level');
  });
});
