/**
 * OTLP/protobuf ↔ pdata for traces, plus the export response and the `google.rpc.Status` error
 * body, read by our own reader (`proto-reader.ts`, `proto-to-pdata.ts`) and written by our own
 * writer (`proto-writer.ts`, `pdata-to-proto.ts`): protobufjs's writer allocates an object per
 * field and took 3.5× as long. protobufjs is only the tests' reference (`proto-schema.ts`), so
 * the collector does not load it.
 */
import type { Span, Traces } from '../pdata/traces.js';
import { WireTraces } from '../pdata/wire-traces.js';
import { Pacer, paced, unpaced } from '../pipeline/pacer.js';
import { badRequest, FieldError, unencodable } from './field-error.js';
import { type DecodeLimits, NO_LIMITS, Truncations } from './limits.js';
import { spansToProto, tracesToProto } from './pdata-to-proto.js';
import { ProtoError, ProtoReader } from './proto-reader.js';
import { scanTraces, scanTracesRequest } from './proto-scan.js';
import {
  ANY,
  DURATION,
  EXPORT_RESPONSE,
  PARTIAL_SUCCESS,
  RETRY_INFO,
  RPC_STATUS,
} from './proto-tags.js';
import { tracesFromProto } from './proto-to-pdata.js';
import { ReverseWriter } from './proto-writer.js';
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
 *
 * With `wire`, a request the scan takes as it is (`proto-scan.ts`: nothing to cut, nothing
 * unusual) is not decoded: it comes back as a `WireTraces` holding `bytes`, for a pipeline whose
 * consumers do not read spans (`TracesConsumer.takesWire`).
 */
export async function decodeTracesRequestPaced(
  bytes: Uint8Array,
  limits: DecodeLimits,
  cut: Truncations,
  pacer = new Pacer(),
  wire = false,
): Promise<Traces> {
  if (wire) {
    const buf = asBuffer(bytes);
    const scanned = await paced(scanTraces(buf, limits), pacer);
    if (scanned) return new WireTraces(buf, scanned.spans, scanned.groups);
  }
  try {
    return await paced(tracesFromProto(new ProtoReader(bytes), limits, cut), pacer);
  } catch (err) {
    throw decodeError(err);
  }
}

/**
 * A request the collector itself wrote and stored (a persistent queue's rows), in its wire form
 * when the scan takes it, else decoded. Its spans are decoded only where something reads them.
 */
export function storedTracesRequest(bytes: Uint8Array): Traces {
  const buf = asBuffer(bytes);
  const scanned = scanTracesRequest(buf, NO_LIMITS);
  if (scanned) return new WireTraces(buf, scanned.spans, scanned.groups);
  return decodeTracesRequest(bytes);
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
  if (traces instanceof WireTraces) return traces.settled().bytes;
  try {
    return tracesToProto(traces);
  } catch (err) {
    throw unencodable(err);
  }
}

/**
 * Encodes spans, each given as pdata or as its message's bytes, as a request of one empty resource
 * and one empty scope (`spansToProto`).
 *
 * @throws PermanentError `ERR_PIPELINE_FAILED` as `encodeTracesRequest`.
 */
export function encodeSpansRequest(spans: ReadonlyArray<Span | Uint8Array>): Uint8Array {
  try {
    return spansToProto(spans);
  } catch (err) {
    throw unencodable(err);
  }
}

/**
 * Encodes an `ExportTraceServiceResponse`: empty for full success, with `partial_success` when
 * some spans were rejected.
 */
export function encodeTracesResponse(partial?: PartialSuccess): Uint8Array {
  if (partial === undefined) return new Uint8Array(0);
  const w = new ReverseWriter(64);
  if (partial.errorMessage) {
    w.string(partial.errorMessage);
    w.close(0, PARTIAL_SUCCESS.errorMessage);
  }
  const rejected = Math.trunc(partial.rejectedSpans);
  if (rejected) {
    varint64(w, rejected);
    w.uint32(PARTIAL_SUCCESS.rejectedSpans);
  }
  w.close(0, EXPORT_RESPONSE.partialSuccess);
  return w.finish();
}

/** Decodes an `ExportTraceServiceResponse`; `undefined` when it reports no partial success. */
export function decodeTracesResponse(bytes: Uint8Array): PartialSuccess | undefined {
  try {
    const r = new ProtoReader(bytes);
    let partial: { rejectedSpans: number; errorMessage: string } | undefined;
    while (r.more) {
      const tag = r.tag();
      if (tag !== EXPORT_RESPONSE.partialSuccess) {
        r.skip(tag);
        continue;
      }
      // A message field given twice is merged into the first, as protobuf's encoding has it.
      partial ??= { rejectedSpans: 0, errorMessage: '' };
      const outer = r.enter();
      while (r.more) {
        const t = r.tag();
        if (t === PARTIAL_SUCCESS.rejectedSpans) partial.rejectedSpans = Number(r.varint64());
        else if (t === PARTIAL_SUCCESS.errorMessage) partial.errorMessage = r.string(Infinity);
        else r.skip(t);
      }
      r.leave(outer);
    }
    return partial;
  } catch (err) {
    throw decodeError(err);
  }
}

/**
 * Encodes a `google.rpc.Status` error body. With `retryDelayMs`, a `google.rpc.RetryInfo` is
 * packed into `details` as a `google.protobuf.Any` (type URL `RETRY_INFO_TYPE_URL`).
 */
export function encodeStatus(s: StatusReply): Uint8Array {
  const w = new ReverseWriter(128);
  if (s.retryDelayMs !== undefined) {
    // details[0]: an Any whose value is a RetryInfo { retry_delay: Duration }.
    const { seconds, nanos } = durationFromMs(s.retryDelayMs);
    const any = w.length;
    const retryInfo = w.length;
    const duration = w.length;
    if (nanos) {
      varint64(w, nanos);
      w.uint32(DURATION.nanos);
    }
    if (seconds) {
      varint64(w, seconds);
      w.uint32(DURATION.seconds);
    }
    w.close(duration, RETRY_INFO.retryDelay);
    w.close(retryInfo, ANY.value);
    const url = w.length;
    w.string(RETRY_INFO_TYPE_URL);
    w.close(url, ANY.type_url);
    w.close(any, RPC_STATUS.details);
  }
  if (s.message !== '') {
    const m = w.length;
    w.string(s.message);
    w.close(m, RPC_STATUS.message);
  }
  if (s.code !== 0) {
    varint64(w, s.code);
    w.uint32(RPC_STATUS.code);
  }
  return w.finish();
}

/**
 * Decodes a `google.rpc.Status`. `retryDelayMs` is set when a `RetryInfo` detail is present;
 * other details are ignored.
 */
export function decodeStatus(bytes: Uint8Array): StatusReply {
  try {
    const r = new ProtoReader(bytes);
    let code = 0;
    let message = '';
    let retryDelayMs: number | undefined;
    while (r.more) {
      const tag = r.tag();
      if (tag === RPC_STATUS.code) code = Number(BigInt.asIntN(32, r.varint64()));
      else if (tag === RPC_STATUS.message) message = r.string(Infinity);
      else if (tag === RPC_STATUS.details && retryDelayMs === undefined) {
        retryDelayMs = retryDelayOf(r);
      } else r.skip(tag);
    }
    return retryDelayMs === undefined ? { code, message } : { code, message, retryDelayMs };
  } catch (err) {
    throw decodeError(err);
  }
}

/** The delay of a `details` entry that is a `RetryInfo`, else undefined. */
function retryDelayOf(r: ProtoReader): number | undefined {
  const outer = r.enter();
  let typeUrl = '';
  let value: Uint8Array = new Uint8Array(0);
  while (r.more) {
    const t = r.tag();
    if (t === ANY.type_url) typeUrl = r.string(Infinity);
    else if (t === ANY.value) value = r.bytes(Infinity);
    else r.skip(t);
  }
  r.leave(outer);
  if (!isRetryInfoTypeUrl(typeUrl)) return undefined;
  const info = new ProtoReader(value);
  let seconds = 0;
  let nanos = 0;
  while (info.more) {
    const t = info.tag();
    if (t !== RETRY_INFO.retryDelay) {
      info.skip(t);
      continue;
    }
    const o = info.enter();
    while (info.more) {
      const d = info.tag();
      if (d === DURATION.seconds) seconds = Number(info.varint64());
      else if (d === DURATION.nanos) nanos = Number(BigInt.asIntN(32, info.varint64()));
      else info.skip(d);
    }
    info.leave(o);
  }
  return msFromDuration(seconds, nanos);
}

/** An `int64`/`int32` varint: a negative value as its 64-bit two's complement (10 bytes). */
function varint64(w: ReverseWriter, v: number): void {
  const bits = BigInt.asUintN(64, BigInt(v));
  w.uint64(Number(bits & 0xffff_ffffn), Number(bits >> 32n));
}

/** `bytes` as a Buffer over the same memory. */
function asBuffer(bytes: Uint8Array): Buffer {
  if (Buffer.isBuffer(bytes)) return bytes;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
