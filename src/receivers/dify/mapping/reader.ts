import { describe } from '../../../config/schema.js';
import { type ParsedTime, parseDifyTime } from './time.js';

/** One item of a request that cannot become spans: where (a key path) and what is wrong. */
export class ItemError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(path ? `${path}: ${problem}` : problem);
  }
}

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads fields of a decoded JSON object and validates them as it goes: a wrong type throws an
 * `ItemError` naming the key path (`trace_info.start_time`). Dify's optional fields may be
 * missing or null alike (pre-1.14 envelopes lack some keys); unknown keys are ignored.
 */
export class Reader {
  constructor(
    readonly obj: JsonObject,
    readonly path: string,
  ) {}

  /** A reader for `value`, which must be an object. */
  static of(value: unknown, path: string): Reader {
    if (!isObject(value)) throw new ItemError(path, `expected an object, got ${describe(value)}`);
    return new Reader(value, path);
  }

  at(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  fail(key: string, expected: string): never {
    throw new ItemError(this.at(key), `expected ${expected}, got ${describe(this.obj[key])}`);
  }

  /** The raw value; `undefined` for missing and null. */
  raw(key: string): unknown {
    const v = this.obj[key];
    return v === null ? undefined : v;
  }

  str(key: string): string {
    const v = this.obj[key];
    if (typeof v !== 'string' || v === '') this.fail(key, 'a non-empty string');
    return v;
  }

  optStr(key: string): string | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') this.fail(key, 'a string');
    return v;
  }

  optNum(key: string): number | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, 'a number');
    return v;
  }

  optBool(key: string): boolean | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') this.fail(key, 'true or false');
    return v;
  }

  optObj(key: string): Reader | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    if (!isObject(v)) this.fail(key, 'an object');
    return new Reader(v, this.at(key));
  }

  optArray(key: string): unknown[] | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) this.fail(key, 'a list');
    return v;
  }

  time(key: string): ParsedTime {
    const t = this.optTime(key);
    if (!t) this.fail(key, 'an ISO 8601 date-time such as "2026-06-12T08:30:01.123456"');
    return t;
  }

  optTime(key: string): ParsedTime | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    const t = typeof v === 'string' ? parseDifyTime(v) : undefined;
    if (!t) this.fail(key, 'an ISO 8601 date-time such as "2026-06-12T08:30:01.123456"');
    return t;
  }
}
