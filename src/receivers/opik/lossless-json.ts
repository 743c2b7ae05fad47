import { unpaced } from '../../pipeline/pacer.js';
import { setJsonKey } from '../../server/paced-json.js';

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
/** A step generator yields after about this much work (values, or characters of strings). */
const STEP_WORK = 2048;
const STEP_CHARS = 64 * 1024;

type OpenContainer =
  | { readonly kind: 'array'; readonly out: LosslessJson[] }
  | { readonly kind: 'object'; readonly out: LosslessObject; key: string };

export function parseLossless(text: string): LosslessJson {
  return unpaced(parseLosslessSteps(text));
}

/**
 * `parseLossless` in steps: it yields every few thousand values, so a receiver can let the event
 * loop run while a 64 MiB body is read (`pipeline/pacer.ts`). Containers are kept on a stack of
 * its own, never the call stack.
 */
export function* parseLosslessSteps(text: string): Generator<void, LosslessJson, undefined> {
  let i = 0;
  const fail = (what: string): never => {
    const before = text.slice(0, i);
    const line = before.split('\n').length;
    const column = i - before.lastIndexOf('\n');
    throw new JsonSyntaxError(`${what} at line ${line}, column ${column}`);
  };
  const skip = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      i++;
    }
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
  /** A field name and its colon; `i` is then at the value. */
  const fieldName = (): string => {
    skip();
    if (text[i] !== '"') fail('Expected a field name in double quotes');
    const key = string();
    skip();
    if (text[i] !== ':') fail("Expected ':'");
    i++;
    return key;
  };
  const scalar = (c: string | undefined): LosslessJson => {
    if (c === '"') return string();
    if (c === 't') return literal('true', true);
    if (c === 'f') return literal('false', false);
    if (c === 'n') return literal('null', null);
    const end = numberEnd(text, i);
    if (end === i) {
      return c === undefined ? fail('Unexpected end-of-input') : fail('Unexpected character');
    }
    const digits = text.slice(i, end);
    i = end;
    return jsonNumber(digits);
  };

  const open: OpenContainer[] = [];
  let work = 0;
  let yieldedAt = 0;
  for (;;) {
    // One value at `i`: a scalar, an empty container, or the start of one (then its first member).
    skip();
    const c = text[i];
    let done: LosslessJson;
    if (c === '{' || c === '[') {
      if (open.length >= MAX_DEPTH) {
        fail(`Document nesting depth exceeds the maximum allowed (${MAX_DEPTH})`);
      }
      i++;
      skip();
      if (c === '{' && text[i] === '}') {
        i++;
        done = {};
      } else if (c === '[' && text[i] === ']') {
        i++;
        done = [];
      } else {
        open.push(
          c === '{' ? { kind: 'object', out: {}, key: fieldName() } : { kind: 'array', out: [] },
        );
        continue;
      }
    } else done = scalar(c);
    // Hand the value to the containers around it, closing those that end here.
    for (;;) {
      const top = open.at(-1);
      if (!top) {
        skip();
        if (i < text.length) fail('Unexpected content after the JSON value');
        return done;
      }
      if (top.kind === 'array') top.out.push(done);
      else setJsonKey(top.out, top.key, done);
      skip();
      const d = text[i];
      if (d === ',') {
        i++;
        if (top.kind === 'object') top.key = fieldName();
        break;
      }
      if (d === (top.kind === 'array' ? ']' : '}')) {
        i++;
        open.pop();
        done = top.out;
        continue;
      }
      fail(top.kind === 'array' ? "Expected ',' or ']'" : "Expected ',' or '}'");
    }
    if (++work >= STEP_WORK || i - yieldedAt >= STEP_CHARS) {
      work = 0;
      yieldedAt = i;
      yield;
    }
  }
}

/**
 * The end of the JSON number at `i` (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`), or `i` when none
 * starts there; scanned by hand, as a regex match costs an allocation per number.
 */
function numberEnd(text: string, start: number): number {
  let i = start;
  const digitAt = (k: number) => {
    const d = text.charCodeAt(k);
    return d >= 0x30 && d <= 0x39;
  };
  const digits = (k: number) => {
    while (digitAt(k)) k++;
    return k;
  };
  if (text.charCodeAt(i) === 0x2d) i++;
  if (text.charCodeAt(i) === 0x30) i++;
  else if (digitAt(i)) i = digits(i + 1);
  else return start;
  if (text.charCodeAt(i) === 0x2e && digitAt(i + 1)) i = digits(i + 1);
  const e = text.charCodeAt(i);
  if (e === 0x65 || e === 0x45) {
    let k = i + 1;
    const sign = text.charCodeAt(k);
    if (sign === 0x2b || sign === 0x2d) k++;
    if (digitAt(k)) i = digits(k);
  }
  return i;
}

/** Short number literals repeat (`0`, `1`, `0.5`): one immutable `JsonNumber` each. */
const SHARED_NUMBERS = new Map<string, JsonNumber>();

function jsonNumber(literal: string): JsonNumber {
  // A long literal is a slice of the request's text, sharing its memory as strings do (above):
  // it gets text of its own.
  if (literal.length >= 13) return new JsonNumber(JSON.parse(`"${literal}"`) as string);
  if (literal.length > 6) return new JsonNumber(literal);
  let n = SHARED_NUMBERS.get(literal);
  if (!n) {
    n = new JsonNumber(literal);
    if (SHARED_NUMBERS.size < 4096) SHARED_NUMBERS.set(literal, n);
  }
  return n;
}

/** Compact JSON text of a value: raw UTF-8, `JSON.stringify`'s escapes, numbers as written. */
export function stringifyLossless(value: LosslessJson): string {
  return unpaced(stringifyLosslessSteps(value));
}

/** `stringifyLossless` in steps, with a stack of its own (see `parseLosslessSteps`). */
export function* stringifyLosslessSteps(value: LosslessJson): Generator<void, string, undefined> {
  /** Pieces of text, joined into `chunks` every few thousand so no array grows to millions. */
  let out: string[] = [];
  const chunks: string[] = [];
  type Frame =
    | { readonly kind: 'array'; readonly items: LosslessJson[]; next: number }
    | {
        readonly kind: 'object';
        readonly keys: string[];
        readonly of: LosslessObject;
        next: number;
      };
  const stack: Frame[] = [];
  let work = 0;
  const write = (v: LosslessJson) => {
    if (v === null) out.push('null');
    else if (typeof v === 'string' || typeof v === 'boolean') out.push(JSON.stringify(v));
    else if (v instanceof JsonNumber) out.push(v.text);
    else if (Array.isArray(v)) {
      out.push('[');
      stack.push({ kind: 'array', items: v, next: 0 });
    } else {
      out.push('{');
      stack.push({ kind: 'object', keys: Object.keys(v), of: v, next: 0 });
    }
  };
  write(value);
  while (stack.length > 0) {
    const f = stack.at(-1)!;
    const size = f.kind === 'array' ? f.items.length : f.keys.length;
    if (f.next >= size) {
      out.push(f.kind === 'array' ? ']' : '}');
      stack.pop();
      continue;
    }
    if (f.next > 0) out.push(',');
    const k = f.next++;
    if (f.kind === 'array') write(f.items[k]!);
    else {
      out.push(`${JSON.stringify(f.keys[k]!)}:`);
      write(f.of[f.keys[k]!]!);
    }
    if (++work >= STEP_WORK) {
      work = 0;
      chunks.push(out.join(''));
      out = [];
      yield;
    }
  }
  chunks.push(out.join(''));
  return chunks.join('');
}

export function isObject(value: LosslessJson | undefined): value is LosslessObject {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !(value instanceof JsonNumber)
  );
}
