/**
 * OTLP/JSON ↔ pdata for traces (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding),
 * plus the JSON forms of the export response and the `google.rpc.Status` error body.
 */
import type { Traces } from '../pdata/traces.js';
import { type Pacer, paced, unpaced } from '../pipeline/pacer.js';
import { JsonError, parseJsonSteps } from '../server/paced-json.js';
import { badRequest, FieldError, locate, unencodable } from './field-error.js';
import { readArray, readInt64, readObject, readString } from './json-scalars.js';
import { tracesFromJson } from './json-to-pdata.js';
import { type DecodeLimits, limitTraces, NO_LIMITS, Truncations } from './limits.js';
import { tracesToJson } from './pdata-to-json.js';
import {
  formatJsonDuration,
  isRetryInfoTypeUrl,
  type PartialSuccess,
  parseJsonDuration,
  RETRY_INFO_TYPE_URL,
  type StatusReply,
} from './replies.js';

/**
 * Decodes an OTLP/JSON `ExportTraceServiceRequest`. Accepts what the protobuf JSON mapping
 * allows: camelCase or snake_case names, unknown fields (skipped), `null` for absent, int64 as
 * string or number, enums as number or name, "NaN"/"Infinity" doubles.
 *
 * @throws PermanentError `ERR_BAD_REQUEST`, located: `invalid JSON: Unexpected token ...`,
 *   `expected a JSON object at the top level`,
 *   `resourceSpans[0].scopeSpans[0].spans[3].traceId: expected 32 hex characters, got 31`.
 */
export function decodeTracesJson(
  body: string | Uint8Array,
  limits: DecodeLimits = NO_LIMITS,
  cut = new Truncations(),
): Traces {
  return located(() => {
    const traces = unpaced(tracesFromJson(parseJson(body), limits));
    return limits === NO_LIMITS ? traces : unpaced(limitTraces(traces, limits, cut));
  });
}

/**
 * `decodeTracesJson` in slices: the text is parsed piece by piece and converted span by span,
 * the event loop running in between whenever a slice is used up, so a 20 MiB body does not stall
 * the collector. `cut` counts what the limits cut.
 */
export async function decodeTracesJsonPaced(
  body: Uint8Array,
  limits: DecodeLimits,
  cut: Truncations,
  pacer?: Pacer,
): Promise<Traces> {
  try {
    // The document may nest a few levels more than its values do (resourceSpans → … → value).
    const root = await paced(parseJsonSteps(body, limits.maxDepth * 3 + 16), pacer);
    const traces = await paced(tracesFromJson(root, limits), pacer);
    return await paced(limitTraces(traces, limits, cut), pacer);
  } catch (err) {
    if (err instanceof JsonError) throw badRequest(err, 'invalid JSON');
    throw err instanceof FieldError ? badRequest(err, 'invalid JSON') : err;
  }
}

/**
 * Encodes `traces` as OTLP/JSON, as the Collector writes it.
 *
 * @throws PermanentError `ERR_PIPELINE_FAILED` when the pdata breaks its own rules (see
 *   `encodeTracesRequest`).
 */
export function encodeTracesJson(traces: Traces): string {
  try {
    return tracesToJson(traces);
  } catch (err) {
    throw unencodable(err);
  }
}

/** An `ExportTraceServiceResponse` as JSON: `{}` for full success. */
export function encodeTracesResponseJson(partial?: PartialSuccess): string {
  if (partial === undefined) return '{}';
  const members: string[] = [];
  const rejected = Math.trunc(partial.rejectedSpans);
  if (rejected !== 0) members.push(`"rejectedSpans":"${rejected}"`);
  if (partial.errorMessage !== '') {
    members.push(`"errorMessage":${JSON.stringify(partial.errorMessage)}`);
  }
  return `{"partialSuccess":{${members.join(',')}}}`;
}

/** Decodes a JSON `ExportTraceServiceResponse`; `undefined` when it has no partial success. */
export function decodeTracesResponseJson(body: string | Uint8Array): PartialSuccess | undefined {
  return located(() => {
    const root = topLevelObject(parseJson(body));
    const partial = root.partialSuccess ?? root.partial_success ?? null;
    if (partial === null) return undefined;
    try {
      const o = readObject(partial, '');
      const rejected = o.rejectedSpans ?? o.rejected_spans ?? null;
      const message = o.errorMessage ?? o.error_message ?? null;
      return {
        rejectedSpans: Number(readInt64(rejected, 'rejectedSpans')),
        errorMessage: readString(message, 'errorMessage'),
      };
    } catch (err) {
      throw locate(err, 'partialSuccess');
    }
  });
}

/**
 * A `google.rpc.Status` as JSON, as `protojson` writes it:
 * `{"code":14,"message":"...","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1s"}]}`.
 */
export function encodeStatusJson(s: StatusReply): string {
  const members: string[] = [];
  if (s.code !== 0) members.push(`"code":${s.code}`);
  if (s.message !== '') members.push(`"message":${JSON.stringify(s.message)}`);
  if (s.retryDelayMs !== undefined) {
    const delay = formatJsonDuration(s.retryDelayMs);
    members.push(`"details":[{"@type":"${RETRY_INFO_TYPE_URL}","retryDelay":"${delay}"}]`);
  }
  return `{${members.join(',')}}`;
}

/** Decodes a JSON `google.rpc.Status`; a `RetryInfo` detail becomes `retryDelayMs`. */
export function decodeStatusJson(body: string | Uint8Array): StatusReply {
  return located(() => {
    const root = topLevelObject(parseJson(body));
    const code = Number(readInt64(root.code ?? null, 'code'));
    const message = readString(root.message ?? null, 'message');
    const details = readArray(root.details ?? null, 'details');
    for (let i = 0; i < details.length; i++) {
      try {
        const retryDelayMs = retryDelayOf(readObject(details[i], ''));
        if (retryDelayMs !== undefined) return { code, message, retryDelayMs };
      } catch (err) {
        throw locate(err, 'details', i);
      }
    }
    return { code, message };
  });
}

function retryDelayOf(detail: { readonly [key: string]: unknown }): number | undefined {
  const type = detail['@type'];
  if (typeof type !== 'string' || !isRetryInfoTypeUrl(type)) return undefined;
  const delay = readString(detail.retryDelay ?? detail.retry_delay ?? null, 'retryDelay');
  if (delay === '') return 0;
  const ms = parseJsonDuration(delay);
  if (ms === undefined) {
    throw new FieldError(
      'retryDelay',
      `expected a duration like "1.5s", got ${JSON.stringify(delay)}`,
    );
  }
  return ms;
}

function parseJson(body: string | Uint8Array): unknown {
  const text =
    typeof body === 'string'
      ? body
      : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(err, 'invalid JSON');
  }
}

function topLevelObject(root: unknown): { readonly [key: string]: unknown } {
  if (typeof root === 'object' && root !== null && !Array.isArray(root)) {
    return root as { readonly [key: string]: unknown };
  }
  throw new FieldError('', 'expected a JSON object at the top level');
}

/** Runs a decoder, turning a located `FieldError` into `ERR_BAD_REQUEST`. */
function located<T>(decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    // Only a FieldError is about the input; anything else is our bug and must surface as such.
    throw err instanceof FieldError ? badRequest(err, 'invalid JSON') : err;
  }
}
