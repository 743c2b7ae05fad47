/**
 * The envelope's `trace_id`: the caller's trace id that Dify took from `X-Trace-Id`,
 * `?trace_id=`, the JSON body, the current OTel context or `traceparent`. Dify only requires
 * `^[A-Za-z0-9_-]{1,128}$`, so three cases are told apart:
 */
export interface ExternalTrace {
  /** The value as sent (kept in metadata), when there is one. */
  readonly raw?: string;
  /** A W3C/OTel trace id (32 hex digits, not all zero): the spans join that OTel trace. */
  readonly otelTraceId?: string;
  /**
   * A dashed UUIDv4 (what clients put in `X-Trace-Id`): Dify's Opik integration keys the Opik
   * trace on it, and so do we; the OTel trace stays the Dify entity's own.
   */
  readonly uuid4?: string;
}

const OTEL_TRACE_ID = /^[0-9a-f]{32}$/i;
const DASHED_UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** Classifies a `trace_id`; anything else (e.g. `req_7f3a-checkout_42`) is kept only as `raw`. */
export function externalTrace(value: string | undefined): ExternalTrace {
  if (value === undefined || value === '') return {};
  if (OTEL_TRACE_ID.test(value) && !/^0+$/.test(value)) {
    return { raw: value, otelTraceId: value.toLowerCase() };
  }
  if (DASHED_UUID4.test(value)) return { raw: value, uuid4: value.toLowerCase() };
  return { raw: value };
}
