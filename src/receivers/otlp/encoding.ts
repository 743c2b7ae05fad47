import {
  decodeTracesJson,
  encodeStatusJson,
  encodeTracesResponseJson,
} from '../../otlp/json-codec.js';
import { decodeTracesRequest, encodeStatus, encodeTracesResponse } from '../../otlp/proto-codec.js';
import type { Traces } from '../../pdata/traces.js';

/** One of the two OTLP/HTTP encodings; replies go out in the encoding the request came in. */
export interface OtlpEncoding {
  readonly contentType: string;
  decode(body: Buffer): Promise<Traces>;
  encodeResponse(): Uint8Array | string;
  encodeStatus(status: {
    code: number;
    message: string;
    retryDelayMs?: number;
  }): Uint8Array | string;
}

/** An `ExportTraceServiceRequest` in protobuf, decoded in slices. */
export async function decodeProtobuf(body: Buffer): Promise<Traces> {
  return decodeTracesRequest(body);
}

const PROTOBUF: OtlpEncoding = {
  contentType: 'application/x-protobuf',
  decode: (body) => decodeProtobuf(body),
  encodeResponse: () => encodeTracesResponse(),
  encodeStatus: (s) => encodeStatus(s),
};

const JSON_ENCODING: OtlpEncoding = {
  contentType: 'application/json',
  decode: async (body) => decodeTracesJson(body),
  encodeResponse: () => encodeTracesResponseJson(),
  encodeStatus: (s) => encodeStatusJson(s),
};

const BY_MIME: Record<string, OtlpEncoding> = {
  'application/x-protobuf': PROTOBUF,
  'application/protobuf': PROTOBUF,
  'application/json': JSON_ENCODING,
};

export function encodingFor(mime: string): OtlpEncoding | undefined {
  return BY_MIME[mime];
}
