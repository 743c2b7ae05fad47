import {
  decodeTracesJsonPaced,
  encodeStatusJson,
  encodeTracesResponseJson,
} from '../../otlp/json-codec.js';
import type { DecodeLimits, Truncations } from '../../otlp/limits.js';
import {
  decodeTracesRequestPaced,
  encodeStatus,
  encodeTracesResponse,
} from '../../otlp/proto-codec.js';
import type { Traces } from '../../pdata/traces.js';

/** One of the two OTLP/HTTP encodings; replies go out in the encoding the request came in. */
export interface OtlpEncoding {
  readonly contentType: string;
  /** Decodes in slices, applying the request limits; `cut` counts what they cut. */
  decode(body: Buffer, limits: DecodeLimits, cut: Truncations): Promise<Traces>;
  encodeResponse(): Uint8Array | string;
  encodeStatus(status: {
    code: number;
    message: string;
    retryDelayMs?: number;
  }): Uint8Array | string;
}

const PROTOBUF: OtlpEncoding = {
  contentType: 'application/x-protobuf',
  decode: (body, limits, cut) => decodeTracesRequestPaced(body, limits, cut),
  encodeResponse: () => encodeTracesResponse(),
  encodeStatus: (s) => encodeStatus(s),
};

const JSON_ENCODING: OtlpEncoding = {
  contentType: 'application/json',
  decode: (body, limits, cut) => decodeTracesJsonPaced(body, limits, cut),
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
