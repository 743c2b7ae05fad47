/**
 * The two encodings carry the same data: whatever one decoder reads, the other encoding of it
 * decodes to the same pdata, and text/bytes survive a trip through the other encoding unchanged.
 */
import { describe, expect, it } from 'vitest';
import { everyFieldTraces, SPAN_ID, TRACE_ID } from '../testing/otlp-fixtures.js';
import { decodeTracesJson, encodeTracesJson } from './json-codec.js';
import { decodeTracesRequest, encodeTracesRequest } from './proto-codec.js';
import { ExportTraceServiceRequest } from './proto-schema.js';

describe('OTLP/JSON and OTLP/protobuf', () => {
  it('decode the two encodings of one batch to the same pdata', () => {
    const traces = everyFieldTraces();
    expect(decodeTracesJson(encodeTracesJson(traces))).toEqual(
      decodeTracesRequest(encodeTracesRequest(traces)),
    );
  });

  it('turn JSON into protobuf and back without changing the text', () => {
    const json = encodeTracesJson(everyFieldTraces());
    const viaProto = decodeTracesRequest(encodeTracesRequest(decodeTracesJson(json)));
    expect(encodeTracesJson(viaProto)).toBe(json);
  });

  it('turn protobuf into JSON and back without changing the bytes', () => {
    const bytes = encodeTracesRequest(everyFieldTraces());
    const viaJson = decodeTracesJson(encodeTracesJson(decodeTracesRequest(bytes)));
    expect(Buffer.from(encodeTracesRequest(viaJson))).toEqual(Buffer.from(bytes));
  });

  it('agree with protobufjs on a hand-written request (hex ids in JSON, bytes in protobuf)', () => {
    const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
    const span = (traceId: string, spanId: string) => ({
      traceId,
      spanId,
      name: 'op',
      kind: 2,
      startTimeUnixNano: '1700000000000000000',
      attributes: [
        { key: 'tokens', value: { intValue: '9007199254740993' } },
        { key: 'ratio', value: { doubleValue: 0.25 } },
        { key: 'blob', value: { bytesValue: 'AQID' } },
      ],
      status: { code: 2, message: 'failed' },
    });
    const request = (traceId: string, spanId: string) => ({
      resourceSpans: [{ scopeSpans: [{ scope: { name: 's' }, spans: [span(traceId, spanId)] }] }],
    });
    const proto = ExportTraceServiceRequest.encode(
      ExportTraceServiceRequest.fromObject(request(b64(TRACE_ID), b64(SPAN_ID))),
    ).finish();
    const json = JSON.stringify(request(TRACE_ID, SPAN_ID));
    expect(decodeTracesJson(json)).toEqual(decodeTracesRequest(proto));
  });
});
