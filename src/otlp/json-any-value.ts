/**
 * OTLP/JSON attributes and `AnyValue`s → pdata: the part of a request that nests, so the only
 * part with a depth limit.
 */
import type { AnyValue, Attributes, KeyValue } from '../pdata/traces.js';
import { FieldError, locate, NONE } from './field-error.js';
import {
  type JsonObject,
  readArray,
  readBool,
  readBytes,
  readDouble,
  readInt64,
  readObject,
  readString,
} from './json-scalars.js';
import { NO_LIMITS, tooDeep } from './limits.js';

/**
 * An `attributes` list; errors are located at `attributes[i]...`. Values nested more than
 * `maxDepth` levels (arrays and maps inside values) are refused.
 */
export function attributesFromJson(v: unknown, maxDepth = NO_LIMITS.maxDepth): Attributes {
  return keyValuesFromJson(v, 'attributes', 0, maxDepth);
}

function keyValuesFromJson(v: unknown, field: string, depth: number, max: number): Attributes {
  const list = readArray(v, field);
  const n = list.length;
  if (n === 0) return NONE;
  const out = new Array<KeyValue>(n);
  for (let i = 0; i < n; i++) {
    try {
      out[i] = keyValueFromJson(list[i], depth, max);
    } catch (err) {
      throw locate(err, field, i);
    }
  }
  return out;
}

function keyValueFromJson(v: unknown, depth: number, max: number): KeyValue {
  const o = readObject(v, '');
  let key = '';
  let value: AnyValue = null;
  for (const k in o) {
    const x = o[k];
    if (k === 'key') key = readString(x, 'key');
    else if (k === 'value' && x !== null) {
      try {
        value = anyValueFromJson(readObject(x, ''), depth, max);
      } catch (err) {
        throw locate(err, 'value');
      }
    }
  }
  return { key, value };
}

function anyValueFromJson(o: JsonObject, depth: number, max: number): AnyValue {
  let value: AnyValue = null;
  // Exactly one member should be set; if several are, the last one wins, as in protobuf.
  for (const key in o) {
    const x = o[key];
    if (x === null) continue;
    switch (key) {
      case 'stringValue':
      case 'string_value':
        value = readString(x, 'stringValue');
        break;
      case 'boolValue':
      case 'bool_value':
        value = readBool(x, 'boolValue');
        break;
      case 'intValue':
      case 'int_value':
        value = readInt64(x, 'intValue');
        break;
      case 'doubleValue':
      case 'double_value':
        value = readDouble(x, 'doubleValue');
        break;
      case 'arrayValue':
      case 'array_value':
        value = nested('arrayValue', x, depth, max, arrayFromJson);
        break;
      case 'kvlistValue':
      case 'kvlist_value':
        value = { kvlist: nested('kvlistValue', x, depth, max, kvlistFromJson) };
        break;
      case 'bytesValue':
      case 'bytes_value':
        value = readBytes(x, 'bytesValue');
        break;
    }
  }
  return value;
}

function arrayFromJson(o: JsonObject, depth: number, max: number): readonly AnyValue[] {
  let values: readonly AnyValue[] = NONE;
  for (const key in o) {
    if (key !== 'values') continue;
    const list = readArray(o[key], 'values');
    if (list.length === 0) continue;
    const out = new Array<AnyValue>(list.length);
    for (let i = 0; i < list.length; i++) {
      try {
        out[i] = anyValueFromJson(readObject(list[i], ''), depth, max);
      } catch (err) {
        throw locate(err, 'values', i);
      }
    }
    values = out;
  }
  return values;
}

function kvlistFromJson(o: JsonObject, depth: number, max: number): Attributes {
  let values: Attributes = NONE;
  for (const key in o) {
    if (key === 'values') values = keyValuesFromJson(o[key], 'values', depth, max);
  }
  return values;
}

/** Reads a nested array/kvlist value one level deeper, located at `field`. */
function nested<T>(
  field: string,
  v: unknown,
  depth: number,
  max: number,
  read: (o: JsonObject, depth: number, max: number) => T,
): T {
  try {
    if (depth >= max) throw new FieldError('', tooDeep(max));
    return read(readObject(v, ''), depth + 1, max);
  } catch (err) {
    throw locate(err, field);
  }
}
