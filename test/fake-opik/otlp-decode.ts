import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/**
 * The fake Opik's own OTLP decoder: it loads the .proto files with protobufjs itself and never
 * uses the collector's codec, so a codec bug cannot hide behind a matching decoder bug.
 */

export type OtelValue =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'double'; readonly value: number }
  | { readonly kind: 'array'; readonly value: readonly OtelValue[] }
  | { readonly kind: 'kvlist'; readonly value: readonly OtelAttribute[] }
  | { readonly kind: 'bytes'; readonly value: Buffer }
  | { readonly kind: 'none' };

export interface OtelAttribute {
  readonly key: string;
  readonly value: OtelValue;
}

export interface OtelEvent {
  readonly timeUnixNano: bigint;
  readonly name: string;
  readonly attributes: readonly OtelAttribute[];
}

export interface OtelSpan {
  readonly traceId: Buffer;
  readonly spanId: Buffer;
  readonly parentSpanId: Buffer;
  readonly name: string;
  readonly startTimeUnixNano: bigint;
  readonly endTimeUnixNano: bigint;
  readonly attributes: readonly OtelAttribute[];
  readonly events: readonly OtelEvent[];
  readonly status: { readonly code: number; readonly message: string };
  readonly scopeName: string;
}

const protoRoot = fileURLToPath(new URL('../../proto/', import.meta.url));
let requestType: protobuf.Type | undefined;

function exportRequestType(): protobuf.Type {
  if (!requestType) {
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => protoRoot + target;
    root.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto', { keepCase: true });
    requestType = root.lookupType(
      'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
    );
  }
  return requestType;
}

type Raw = Record<string, unknown>;
const objectOptions = { longs: String, bytes: Buffer, defaults: true, oneofs: true } as const;

/** Decodes an `ExportTraceServiceRequest` (binary protobuf); throws on malformed bytes. */
export function decodeProtobuf(body: Uint8Array): OtelSpan[] {
  const type = exportRequestType();
  return flatten(type.toObject(type.decode(body), objectOptions) as Raw);
}

/**
 * Decodes OTLP/JSON the way Opik's Java reader does: `bytes` ids are base64 (so hex ids give
 * the wrong bytes, exactly like Opik), enum names or numbers, int64 as strings or numbers.
 */
export function decodeJson(text: string): OtelSpan[] {
  let parsed: unknown = JSON.parse(text);
  if (typeof parsed === 'string') parsed = JSON.parse(parsed);
  const type = exportRequestType();
  const message = type.fromObject(camelToSnake(parsed) as Raw);
  return flatten(type.toObject(message, objectOptions) as Raw);
}

function camelToSnake(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelToSnake);
  if (v === null || typeof v !== 'object') return v;
  const out: Raw = {};
  for (const [k, inner] of Object.entries(v)) {
    out[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = camelToSnake(inner);
  }
  return out;
}

function flatten(request: Raw): OtelSpan[] {
  const spans: OtelSpan[] = [];
  for (const rs of (request.resource_spans as Raw[]) ?? []) {
    for (const ss of (rs.scope_spans as Raw[]) ?? []) {
      const scopeName = String((ss.scope as Raw | null)?.name ?? '');
      for (const s of (ss.spans as Raw[]) ?? []) spans.push(toSpan(s, scopeName));
    }
  }
  return spans;
}

function toSpan(s: Raw, scopeName: string): OtelSpan {
  const status = (s.status as Raw | null) ?? {};
  return {
    traceId: s.trace_id as Buffer,
    spanId: s.span_id as Buffer,
    parentSpanId: s.parent_span_id as Buffer,
    name: String(s.name ?? ''),
    startTimeUnixNano: BigInt(String(s.start_time_unix_nano ?? '0')),
    endTimeUnixNano: BigInt(String(s.end_time_unix_nano ?? '0')),
    attributes: toAttributes(s.attributes),
    events: ((s.events as Raw[]) ?? []).map((e) => ({
      timeUnixNano: BigInt(String(e.time_unix_nano ?? '0')),
      name: String(e.name ?? ''),
      attributes: toAttributes(e.attributes),
    })),
    status: { code: Number(status.code ?? 0), message: String(status.message ?? '') },
    scopeName,
  };
}

function toAttributes(list: unknown): OtelAttribute[] {
  return ((list as Raw[]) ?? []).map((kv) => ({
    key: String(kv.key),
    value: toValue(kv.value as Raw | null),
  }));
}

function toValue(v: Raw | null): OtelValue {
  switch (v?.value) {
    case 'string_value':
      return { kind: 'string', value: String(v.string_value) };
    case 'bool_value':
      return { kind: 'bool', value: Boolean(v.bool_value) };
    case 'int_value':
      return { kind: 'int', value: BigInt(String(v.int_value)) };
    case 'double_value':
      return { kind: 'double', value: Number(v.double_value) };
    case 'array_value':
      return {
        kind: 'array',
        value: (((v.array_value as Raw).values as Raw[]) ?? []).map((x) => toValue(x)),
      };
    case 'kvlist_value':
      return { kind: 'kvlist', value: toAttributes((v.kvlist_value as Raw).values) };
    case 'bytes_value':
      return { kind: 'bytes', value: v.bytes_value as Buffer };
    default:
      return { kind: 'none' };
  }
}
