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

/**
 * How deeply arrays and kvlists may nest inside one attribute value. protobufjs stops at 100
 * message levels, which allows roughly 47 for span attributes; 32 is well past any real data and
 * keeps the recursion far from the stack limit.
 */
export const MAX_VALUE_DEPTH = 32;

/** An `attributes` list; errors are located at `attributes[i]...`. */
export function attributesFromJson(v: unknown): Attributes {
  return keyValuesFromJson(v, 'attributes', 0);
}

function keyValuesFromJson(v: unknown, field: string, depth: number): Attributes {
  const list = readArray(v, field);
  const n = list.length;
  if (n === 0) return NONE;
  const out = new Array<KeyValue>(n);
  for (let i = 0; i < n; i++) {
    try {
      out[i] = keyValueFromJson(list[i], depth);
    } catch (err) {
      throw locate(err, field, i);
    }
  }
  return out;
}

function keyValueFromJson(v: unknown, depth: number): KeyValue {
  const o = readObject(v, '');
  let key = '';
  let value: AnyValue = null;
  for (const k in o) {
    const x = o[k];
    if (k === 'key') key = readString(x, 'key');
    else if (k === 'value' && x !== null) {
      try {
        value = anyValueFromJson(readObject(x, ''), depth);
      } catch (err) {
        throw locate(err, 'value');
      }
    }
  }
  return { key, value };
}

function anyValueFromJson(o: JsonObject, depth: number): AnyValue {
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
        value = nested('arrayValue', x, depth, arrayFromJson);
        break;
      case 'kvlistValue':
      case 'kvlist_value':
        value = { kvlist: nested('kvlistValue', x, depth, kvlistFromJson) };
        break;
      case 'bytesValue':
      case 'bytes_value':
        value = readBytes(x, 'bytesValue');
        break;
    }
  }
  return value;
}

function arrayFromJson(o: JsonObject, depth: number): readonly AnyValue[] {
  let values: readonly AnyValue[] = NONE;
  for (const key in o) {
    if (key !== 'values') continue;
    const list = readArray(o[key], 'values');
    if (list.length === 0) continue;
    const out = new Array<AnyValue>(list.length);
    for (let i = 0; i < list.length; i++) {
      try {
        out[i] = anyValueFromJson(readObject(list[i], ''), depth);
      } catch (err) {
        throw locate(err, 'values', i);
      }
    }
    values = out;
  }
  return values;
}

function kvlistFromJson(o: JsonObject, depth: number): Attributes {
  let values: Attributes = NONE;
  for (const key in o) {
    if (key === 'values') values = keyValuesFromJson(o[key], 'values', depth);
  }
  return values;
}

/** Reads a nested array/kvlist value one level deeper, located at `field`. */
function nested<T>(
  field: string,
  v: unknown,
  depth: number,
  read: (o: JsonObject, depth: number) => T,
): T {
  try {
    if (depth >= MAX_VALUE_DEPTH) {
      throw new FieldError('', `values nested more than ${MAX_VALUE_DEPTH} levels deep`);
    }
    return read(readObject(v, ''), depth + 1);
  } catch (err) {
    throw locate(err, field);
  }
}
