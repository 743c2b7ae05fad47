import type { AnyValue, Span } from '../../../pdata/traces.js';
import { StatusCode } from '../../../pdata/traces.js';

export type Json = Record<string, unknown>;

/**
 * One provider span read the way the decoders need it: attribute values by key, the `metadata`
 * JSON attribute parsed, times as Dify's own datetimes, the error text of an ERROR status.
 */
export class SpanReader {
  private readonly values = new Map<string, AnyValue>();
  private parsedMeta?: Json;

  constructor(readonly span: Span) {
    for (const kv of span.attributes)
      if (!this.values.has(kv.key)) this.values.set(kv.key, kv.value);
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  get(key: string): AnyValue | undefined {
    return this.values.get(key);
  }

  str(key: string): string | undefined {
    const v = this.values.get(key);
    return typeof v === 'string' ? v : undefined;
  }

  /** An int attribute (OTLP int, or a numeric string as Aliyun writes counts). */
  int(key: string): number | undefined {
    const v = this.values.get(key);
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'string' && /^\d+$/.test(v.trim())) return Number(v);
    return undefined;
  }

  /** A JSON attribute parsed; the text itself when it is not JSON. */
  json(key: string): unknown {
    const v = this.str(key);
    return v === undefined ? undefined : parseJson(v);
  }

  /** The `metadata` attribute (a JSON object as text), or {}. */
  get meta(): Json {
    if (!this.parsedMeta) {
      const v = this.json('metadata');
      this.parsedMeta = isObject(v) ? v : {};
    }
    return this.parsedMeta;
  }

  /** The status message of an ERROR span, or undefined. */
  get error(): string | undefined {
    return this.span.status.code === StatusCode.ERROR ? this.span.status.message || '' : undefined;
  }

  get start(): string {
    return difyTime(this.span.startTimeUnixNano);
  }

  get end(): string {
    return difyTime(this.span.endTimeUnixNano);
  }

  /** Seconds between start and end, to the microsecond (Dify's `elapsed_time`). */
  get elapsed(): number {
    return Number(micros(this.span.endTimeUnixNano) - micros(this.span.startTimeUnixNano)) / 1e6;
  }
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Dify's `None` for the empty values a provider writes in its place (`""`, a missing key). */
export const orNull = (v: unknown) => (v === '' || v === undefined ? null : v);

/** A JSON column a provider wrote as `value or {}`: `{}` stands for a missing column. */
export const emptyAsNull = (text: string | undefined) =>
  text === undefined || text === '{}' ? null : text;

/** An LLM node's prompt list; none for the `[]` a provider writes when the node has none. */
export function prompts(value: unknown): unknown[] | undefined {
  return Array.isArray(value) && value.length > 0 ? value : undefined;
}

/** A string value from parsed metadata, or undefined for anything else and for "". */
export function metaStr(meta: Json, key: string): string | undefined {
  const v = meta[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `meta` without `keys` (what a provider added to Dify's own metadata). */
export function without(meta: Json, keys: readonly string[]): Json {
  const out: Json = { ...meta };
  for (const k of keys) delete out[k];
  return out;
}

/**
 * Nanoseconds as Dify wrote the datetime they came from: Dify's datetimes have microsecond
 * precision, and the providers' `int(dt.timestamp() * 1e9)` adds float noise below it, so the
 * nearest microsecond is the datetime itself. Naive ISO 8601 in UTC, as in Dify's envelopes.
 */
export function difyTime(ns: bigint): string {
  const us = micros(ns);
  const seconds = us / 1_000_000n;
  const whole = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${whole}.${(us % 1_000_000n).toString().padStart(6, '0')}`;
}

function micros(ns: bigint): bigint {
  return (ns + 500n) / 1000n;
}
