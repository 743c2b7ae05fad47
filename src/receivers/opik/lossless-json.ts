/**
 * JSON read without losing what Opik keeps: numbers stay as their literal text (Opik's Jackson
 * stores `1.0` as a double and `12345678901234567890` exactly, where `JSON.parse` gives `1` and
 * a rounded number), keys keep their order, the last of duplicate keys wins in the first's place
 * (as in `JSON.parse` and Jackson's `ObjectNode`).
 */

/** A JSON number as written. */
export class JsonNumber {
  constructor(readonly text: string) {}
  get value(): number {
    return Number(this.text);
  }
  /** An integer literal: digits only (no fraction, no exponent). */
  get isInteger(): boolean {
    return /^-?\d+$/.test(this.text);
  }
}

export type LosslessJson =
  | null
  | boolean
  | string
  | JsonNumber
  | LosslessJson[]
  | { [key: string]: LosslessJson };

export type LosslessObject = { [key: string]: LosslessJson };

/** Why a text is not JSON, with where (as Jackson says it: line and column). */
export class JsonSyntaxError extends Error {}

/** Jackson's default `maxNestingDepth`; deeper documents are refused, never a stack overflow. */
const MAX_DEPTH = 1000;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

export function parseLossless(text: string): LosslessJson {
  let i = 0;
  const fail = (what: string): never => {
    const before = text.slice(0, i);
    const line = before.split('\n').length;
    const column = i - before.lastIndexOf('\n');
    throw new JsonSyntaxError(`${what} at line ${line}, column ${column}`);
  };
  const skip = () => {
    while (i < text.length && WS.has(text.charCodeAt(i))) i++;
  };
  const literal = (word: string, value: LosslessJson): LosslessJson => {
    if (!text.startsWith(word, i)) fail('Unrecognized token');
    i += word.length;
    return value;
  };
  const string = (): string => {
    const start = i;
    let end = text.indexOf('"', i + 1);
    let escaped = false;
    while (end !== -1) {
      let backslashes = 0;
      for (let k = end - 1; k > start && text.charCodeAt(k) === 0x5c; k--) backslashes++;
      if (backslashes % 2 === 0) break;
      escaped = true;
      end = text.indexOf('"', end + 1);
    }
    if (end === -1) fail('Unexpected end-of-input in a string');
    i = end + 1;
    const raw = text.slice(start, end + 1);
    if (!escaped && raw.indexOf('\\') === -1) {
      for (let k = 1; k < raw.length - 1; k++) {
        if (raw.charCodeAt(k) < 0x20) fail('Illegal unquoted character in a string');
      }
    }
    // `JSON.parse` builds a string of its own. A slice of the text would share the text's memory
    // (V8 keeps slices of 13 characters or more as views of their parent), so one id kept
    // downstream, in the exporter's id memory say, would keep the whole request body alive.
    try {
      return JSON.parse(raw) as string;
    } catch {
      return fail('Invalid string');
    }
  };
  const value = (depth: number): LosslessJson => {
    skip();
    const c = text[i];
    if ((c === '{' || c === '[') && depth >= MAX_DEPTH) {
      fail(`Document nesting depth exceeds the maximum allowed (${MAX_DEPTH})`);
    }
    if (c === '{') {
      i++;
      const out: LosslessObject = {};
      skip();
      if (text[i] === '}') {
        i++;
        return out;
      }
      for (;;) {
        skip();
        if (text[i] !== '"') fail('Expected a field name in double quotes');
        const key = string();
        skip();
        if (text[i] !== ':') fail("Expected ':'");
        i++;
        const v = value(depth + 1);
        if (key === '__proto__') {
          Object.defineProperty(out, key, {
            value: v,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        } else out[key] = v;
        skip();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return out;
        }
        fail("Expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const out: LosslessJson[] = [];
      skip();
      if (text[i] === ']') {
        i++;
        return out;
      }
      for (;;) {
        out.push(value(depth + 1));
        skip();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return out;
        }
        fail("Expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true', true);
    if (c === 'f') return literal('false', false);
    if (c === 'n') return literal('null', null);
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) return c === undefined ? fail('Unexpected end-of-input') : fail('Unexpected character');
    i = NUMBER.lastIndex;
    return new JsonNumber(m[0]);
  };
  const out = value(0);
  skip();
  if (i < text.length) fail('Unexpected content after the JSON value');
  return out;
}

/** Compact JSON text of a value: raw UTF-8, `JSON.stringify`'s escapes, numbers as written. */
export function stringifyLossless(value: LosslessJson): string {
  if (value === null) return 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (value instanceof JsonNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(stringifyLossless).join(',')}]`;
  const parts: string[] = [];
  for (const key of Object.keys(value)) {
    parts.push(`${JSON.stringify(key)}:${stringifyLossless(value[key]!)}`);
  }
  return `{${parts.join(',')}}`;
}

export function isObject(value: LosslessJson | undefined): value is LosslessObject {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !(value instanceof JsonNumber)
  );
}
