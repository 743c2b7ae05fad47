import type { Span } from '../../../pdata/traces.js';
import { setJsonKey } from '../../../server/paced-json.js';
import { type ExternalTrace, externalTrace } from './external-trace.js';
import type { JsonObject, Reader } from './reader.js';
import { type ParsedTime, secondsToNs } from './time.js';

/** One envelope being mapped: `app_id`, the `trace_info` reader, and the envelope itself. */
export interface EnvelopeContext {
  readonly appId: string;
  readonly info: Reader;
  readonly envelope: Reader;
}

/**
 * A mapper turns one envelope of its type into spans (or throws an `ItemError`). One that can
 * make many spans (a workflow run with its nodes) is a generator yielding between spans.
 */
export type Mapper = (ctx: EnvelopeContext) => Span[] | Generator<void, Span[], undefined>;

/** `trace_info.metadata` (required by Dify's models; tolerated missing). */
export function metadataOf(info: Reader): JsonObject {
  return info.optObj('metadata')?.obj ?? {};
}

/** A string from `metadata`, or undefined (metadata values are not validated: they are Dify's). */
export function metaStr(meta: JsonObject, key: string): string | undefined {
  const v = meta[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export interface Timing {
  readonly start: ParsedTime;
  readonly end: bigint;
}

/** `start_time`, and `end_time` or else start plus the elapsed seconds Dify reported. */
export function timingOf(info: Reader, elapsedSeconds?: number): Timing {
  const start = info.time('start_time');
  const end = info.optTime('end_time')?.ns ?? start.ns + secondsToNs(elapsedSeconds ?? 0);
  return { start, end };
}

/** The envelope's external trace id, classified. */
export function externalOf(info: Reader): ExternalTrace {
  return externalTrace(info.optStr('trace_id'));
}

/** The error text Dify reported (it writes `""` on success), or undefined. */
export function errorText(info: Reader): string | undefined {
  const e = info.optStr('error');
  return e === undefined || e.trim() === '' ? undefined : e;
}

/** `metadata` plus our additions, without keys whose value is undefined. */
export function withExtras(meta: JsonObject, extras: JsonObject): JsonObject {
  // A `__proto__` key in Dify's metadata stays a plain key (as JSON.parse made it). Not an
  // object without prototype: V8 keeps those as hash tables, slower to fill and to stringify.
  const out: JsonObject = {};
  for (const k in meta) setJsonKey<unknown>(out, k, meta[k]);
  for (const k in extras) if (extras[k] !== undefined) setJsonKey<unknown>(out, k, extras[k]);
  return out;
}
