/**
 * OTLP/protobuf ↔ pdata for traces, plus the export response and the `google.rpc.Status` error
 * body. Requests are decoded by protobufjs and its message objects converted straight to pdata
 * (`proto-to-pdata.ts`; no `toObject`, no JSON in between). They are encoded straight from pdata
 * by our own writer (`pdata-to-proto.ts`): protobufjs's writer allocates an object per field and
 * took 3.5× as long. The small replies go through protobufjs both ways.
 */
import type { Traces } from '../pdata/traces.js';
import { type Pacer, paced, unpaced } from '../pipeline/pacer.js';
import { badRequest, FieldError, unencodable } from './field-error.js';
import { int64FromLong, type LongBits } from './int64.js';
import { type DecodeLimits, NO_LIMITS, Truncations } from './limits.js';
import { tracesToProto } from './pdata-to-proto.js';
import { ProtoError, ProtoReader } from './proto-reader.js';
import { ExportTraceServiceResponse, RetryInfo, RpcStatus } from './proto-schema.js';
import { tracesFromProto } from './proto-to-pdata.js';
import {
  durationFromMs,
  isRetryInfoTypeUrl,
  msFromDuration,
  type PartialSuccess,
  RETRY_INFO_TYPE_URL,
  type StatusReply,
} from './replies.js';

const INVALID = 'invalid protobuf';

/**
 * Decodes an OTLP `ExportTraceServiceRequest` (also the body of `TracesData`) at once. Without
 * `limits`, nothing is cut (only nesting is bounded): for data a receiver already took.
 *
 * @throws PermanentError `ERR_BAD_REQUEST` for bytes that are not a valid request
 *   (`invalid protobuf: index out of range: 12 + 40 > 30`) or that break OTLP's rules
 *   (`resourceSpans[0].scopeSpans[0].spans[3].traceId: expected 16 bytes, got 15`).
 * @throws CollectorError `ERR_TOO_MANY_SPANS` past `limits.maxSpans`.
 */
export function decodeTracesRequest(
  bytes: Uint8Array,
  limits: DecodeLimits = NO_LIMITS,
  cut = new Truncations(),
): Traces {
  try {
    return unpaced(tracesFromProto(new ProtoReader(bytes), limits, cut));
  } catch (err) {
    throw decodeError(err);
  }
}

/**
 * `decodeTracesRequest` in slices: the event loop runs between spans whenever a slice is used
 * up, so a 20 MiB request does not stall the collector. `cut` counts what the limits cut.
 */
export async function decodeTracesRequestPaced(
  bytes: Uint8Array,
  limits: DecodeLimits,
  cut: Truncations,
  pacer?: Pacer,
): Promise<Traces> {
  try {
    return await paced(tracesFromProto(new ProtoReader(bytes), limits, cut), pacer);
  } catch (err) {
    throw decodeError(err);
  }
}

/**
 * Bad input becomes `ERR_BAD_REQUEST`; a refusal by a limit (`CollectorError`) passes as it is;
 * anything else is our bug and must surface as such.
 */
function decodeError(err: unknown): unknown {
  if (err instanceof FieldError || err instanceof ProtoError) return badRequest(err, INVALID);
  return err;
}

/**
 * Encodes `traces` as a canonical `ExportTraceServiceRequest`.
 *
 * @throws PermanentError `ERR_PIPELINE_FAILED` when the pdata breaks its own rules (an id that is
 *   not hex of the right length, a time or int outside 64 bits): a bug upstream, named by path.
 */
export function encodeTracesRequest(traces: Traces): Uint8Array {
  try {
    return tracesToProto(traces);
  } catch (err) {
    throw unencodable(err);
  }
}

/**
 * Encodes an `ExportTraceServiceResponse`: empty for full success, with `partial_success` when
 * some spans were rejected.
 */
export function encodeTracesResponse(partial?: PartialSuccess): Uint8Array {
  const message =
    partial === undefined
      ? {}
      : {
          partialSuccess: {
            rejectedSpans: Math.trunc(partial.rejectedSpans) || undefined,
            errorMessage: partial.errorMessage || undefined,
          },
        };
  return ExportTraceServiceResponse.encode(message).finish();
}

/** Decodes an `ExportTraceServiceResponse`; `undefined` when it reports no partial success. */
export function decodeTracesResponse(bytes: Uint8Array): PartialSuccess | undefined {
  const m = decodeWith<{
    partialSuccess: { rejectedSpans: LongBits | number; errorMessage: string } | null;
  }>(ExportTraceServiceResponse, bytes);
  if (m.partialSuccess === null) return undefined;
  return {
    rejectedSpans: Number(int64FromLong(m.partialSuccess.rejectedSpans)),
    errorMessage: m.partialSuccess.errorMessage,
  };
}

/**
 * Encodes a `google.rpc.Status` error body. With `retryDelayMs`, a `google.rpc.RetryInfo` is
 * packed into `details` as a `google.protobuf.Any` (type URL `RETRY_INFO_TYPE_URL`).
 */
export function encodeStatus(s: StatusReply): Uint8Array {
  // `type_url`, not `typeUrl`: protobufjs bundles google/protobuf/any.proto as a JSON descriptor
  // that `keepCase: false` never renames.
  const details =
    s.retryDelayMs === undefined
      ? []
      : [{ type_url: RETRY_INFO_TYPE_URL, value: encodeRetryInfo(s.retryDelayMs) }];
  return RpcStatus.encode({
    code: s.code === 0 ? undefined : s.code,
    message: s.message === '' ? undefined : s.message,
    details,
  }).finish();
}

function encodeRetryInfo(ms: number): Uint8Array {
  const { seconds, nanos } = durationFromMs(ms);
  return RetryInfo.encode({
    retryDelay: { seconds: seconds || undefined, nanos: nanos || undefined },
  }).finish();
}

/**
 * Decodes a `google.rpc.Status`. `retryDelayMs` is set when a `RetryInfo` detail is present;
 * other details are ignored.
 */
export function decodeStatus(bytes: Uint8Array): StatusReply {
  const m = decodeWith<{
    code: number;
    message: string;
    details: readonly { type_url: string; value: Uint8Array | readonly number[] }[];
  }>(RpcStatus, bytes);
  for (const detail of m.details) {
    if (!isRetryInfoTypeUrl(detail.type_url)) continue;
    const info = decodeWith<{
      retryDelay: { seconds: LongBits | number; nanos: number } | null;
    }>(RetryInfo, detail.value);
    const delay = info.retryDelay;
    const retryDelayMs =
      delay === null ? 0 : msFromDuration(Number(int64FromLong(delay.seconds)), delay.nanos);
    return { code: m.code, message: m.message, retryDelayMs };
  }
  return { code: m.code, message: m.message };
}

/** Runs protobufjs's decoder, turning its parse errors into `ERR_BAD_REQUEST`. */
function decodeWith<T>(
  type: { decode(reader: Uint8Array): unknown },
  bytes: Uint8Array | readonly number[],
): T {
  try {
    // A Buffer makes protobufjs pick its BufferReader, which decodes strings natively.
    return type.decode(asBuffer(bytes)) as T;
  } catch (err) {
    throw badRequest(err, INVALID);
  }
}

function asBuffer(bytes: Uint8Array | readonly number[]): Buffer {
  if (Buffer.isBuffer(bytes)) return bytes;
  // protobufjs's default for an absent bytes field is a plain `[]`.
  if (!ArrayBuffer.isView(bytes)) return Buffer.from(bytes as number[]);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
