/**
 * `JSON.parse` for request bodies of any size, in steps: a large document is taken apart along
 * its structure (objects and arrays are walked member by member) until each piece is small, and
 * each piece is decoded from UTF-8 and goes to the native `JSON.parse`. The generator yields
 * between pieces, so a caller can let the event loop run (`pipeline/pacer.ts`) while a 20 MiB
 * body is parsed; the body is never decoded to one string at once. Nesting is bounded while the
 * bytes are scanned, before anything deep is built. The result is what `JSON.parse` of the
 * UTF-8-decoded body would return; positions in messages are byte offsets.
 */

/** Bytes of a string scanned in the parser's own loop before a native search takes over. */
const SHORT_STRING = 64;

/** Pieces up to this many bytes go to `JSON.parse` whole. */
export const PIECE_CHARS = 64 * 1024;

export class JsonError extends Error {
  override readonly name = 'JsonError';
}

/** Thrown when the document nests deeper than allowed. */
export class JsonTooDeep extends JsonError {}

/** Thrown when a body of items holds more than it may (see `parseJsonItemsSteps`). */
export class JsonTooManyItems extends JsonError {}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

type Json = Buffer & { utf8Slice(start: number, end: number): string };

const bytesOf = (text: string | Uint8Array): Json =>
  (typeof text === 'string'
    ? Buffer.from(text, 'utf8')
    : Buffer.isBuffer(text)
      ? text
      : Buffer.from(text.buffer, text.byteOffset, text.byteLength)) as Json;

/** Parses `body` in steps (see the module comment); throws `JsonError` as `JSON.parse` would. */
export function* parseJsonSteps(
  body: string | Uint8Array,
  maxDepth: number,
): Generator<void, unknown, undefined> {
  const text = bytesOf(body);
  const p = new Parser(text, maxDepth);
  const start = p.skipSpace(0);
  if (start >= text.length) throw new JsonError('Unexpected end of JSON input');
  const [value, end] = yield* p.value(start, 0);
  p.end(end);
  return value;
}

/** One element of a JSON body: its value, or why it could not be taken (nested too deep). */
export type JsonItem = { readonly value: unknown } | { readonly tooDeep: string };

/**
 * A body of items: a top-level array gives one item per element (unless `split` is false: one
 * NDJSON line is one item whatever it holds), anything else one item. An
 * element nested deeper than `maxDepth` (counting from the element) is reported as that item's
 * problem, so the rest of the body is still taken; any other flaw fails the whole body, as
 * `JSON.parse` would. More than `maxItems` elements throw `JsonTooManyItems` as soon as it is
 * known.
 */
export function* parseJsonItemsSteps(
  body: string | Uint8Array,
  maxDepth: number,
  split = true,
  maxItems = Number.POSITIVE_INFINITY,
): Generator<undefined, JsonItem[], undefined> {
  const items: JsonItem[] = [];
  for (const step of jsonItemSteps(body, maxDepth, split, maxItems)) {
    if (step) items.push(step);
    yield;
  }
  return items;
}

/**
 * `parseJsonItemsSteps` as a stream: each item is yielded as soon as it is parsed (`undefined`
 * between pieces of an item), so a caller can take it and let it go before the next one is
 * built. A flaw after some items were yielded (a syntax error further on, one item too many)
 * still throws, at the point where it is found.
 */
export function* jsonItemSteps(
  body: string | Uint8Array,
  maxDepth: number,
  split = true,
  maxItems = Number.POSITIVE_INFINITY,
): Generator<JsonItem | undefined, void, undefined> {
  const text = bytesOf(body);
  const p = new Parser(text, maxDepth, maxItems);
  const start = p.skipSpace(0);
  if (start >= text.length) throw new JsonError('Unexpected end of JSON input');
  if (split && text[start] === OPEN_BRACKET) {
    p.end(yield* p.items(start));
    return;
  }
  const [item, end] = yield* p.item(start);
  p.end(end);
  yield item;
}

/** Sets a key as `JSON.parse` would, `__proto__` included (as an own property). */
export function setJsonKey<T>(out: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(out, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else out[key] = value;
}

class Parser {
  constructor(
    private readonly text: Json,
    private readonly maxDepth: number,
    private readonly maxItems = Number.POSITIVE_INFINITY,
  ) {}

  skipSpace(pos: number): number {
    const t = this.text;
    while (pos < t.length && isSpace(t[pos]!)) pos++;
    return pos;
  }

  /** Throws unless only whitespace follows `pos`. */
  end(pos: number): void {
    const rest = this.skipSpace(pos);
    if (rest < this.text.length) {
      throw new JsonError(`Unexpected non-whitespace character after JSON at position ${rest}`);
    }
  }

  /**
   * Yields the elements of the array at `pos`, each an item of its own (see
   * `parseJsonItemsSteps`), and returns the position after the array.
   */
  *items(pos: number): Generator<JsonItem | undefined, number, undefined> {
    let count = 0;
    let at = this.skipSpace(pos + 1);
    if (this.text[at] === CLOSE_BRACKET) return at + 1;
    for (;;) {
      if (count++ >= this.maxItems) throw new JsonTooManyItems(`more than ${this.maxItems} items`);
      const [item, end] = yield* this.item(at);
      yield item;
      at = this.skipSpace(end);
      const c = this.text[at];
      if (c === CLOSE_BRACKET) return at + 1;
      if (c !== COMMA) throw this.unexpected(at);
      at = this.skipSpace(at + 1);
    }
  }

  /** One item at `pos`: its value, or the note that it nests too deep (and where it ends). */
  *item(pos: number): Generator<undefined, [JsonItem, number], undefined> {
    try {
      const [value, end] = yield* this.value(pos, 0);
      return [{ value }, end];
    } catch (err) {
      if (!(err instanceof JsonTooDeep)) throw err;
      return [{ tooDeep: err.message }, this.skipValue(pos)];
    }
  }

  /** The end of the value at `pos`, however deep, without building it. */
  private skipValue(pos: number): number {
    const t = this.text;
    const c = t[pos];
    if (c !== OPEN_BRACE && c !== OPEN_BRACKET) {
      return c === QUOTE ? this.stringEnd(pos) : this.scalarEnd(pos);
    }
    let level = 0;
    for (let i = pos; i < t.length; i++) {
      const d = t[i];
      if (d === QUOTE) i = this.stringEnd(i) - 1;
      else if (d === OPEN_BRACE || d === OPEN_BRACKET) level++;
      else if ((d === CLOSE_BRACE || d === CLOSE_BRACKET) && --level === 0) return i + 1;
    }
    throw new JsonError('Unexpected end of JSON input');
  }

  /** The value starting at `pos` (no leading space) and the position just after it. */
  *value(pos: number, depth: number): Generator<undefined, [unknown, number], undefined> {
    const end = this.smallEnd(pos, depth);
    if (end >= 0) return [this.parsePiece(pos, end), end];
    return this.text[pos] === OPEN_BRACE
      ? yield* this.object(pos, depth + 1)
      : yield* this.array(pos, depth + 1);
  }

  /**
   * The end of the value at `pos` when it is small enough for `JSON.parse` at once (a string or
   * a number is always a piece), or -1 for an object or array longer than `PIECE_CHARS`.
   */
  private smallEnd(pos: number, depth: number): number {
    const c = this.text[pos];
    if (c === OPEN_BRACE || c === OPEN_BRACKET) return this.containerEnd(pos, depth, PIECE_CHARS);
    return c === QUOTE ? this.stringEnd(pos) : this.scalarEnd(pos);
  }

  private *object(pos: number, depth: number): Generator<undefined, [unknown, number], undefined> {
    const out: Record<string, unknown> = {};
    let at = this.skipSpace(pos + 1);
    if (this.text[at] === CLOSE_BRACE) return [out, at + 1];
    for (;;) {
      if (this.text[at] !== QUOTE) throw this.unexpected(at);
      const keyEnd = this.stringEnd(at);
      const key = this.parsePiece(at, keyEnd) as string;
      at = this.skipSpace(keyEnd);
      if (this.text[at] !== COLON) throw this.unexpected(at);
      at = this.skipSpace(at + 1);
      const [value, end] = yield* this.value(at, depth);
      setJsonKey(out, key, value);
      yield;
      at = this.skipSpace(end);
      const c = this.text[at];
      if (c === CLOSE_BRACE) return [out, at + 1];
      if (c !== COMMA) throw this.unexpected(at);
      at = this.skipSpace(at + 1);
    }
  }

  private *array(pos: number, depth: number): Generator<undefined, [unknown, number], undefined> {
    const out: unknown[] = [];
    let at = this.skipSpace(pos + 1);
    if (this.text[at] === CLOSE_BRACKET) return [out, at + 1];
    for (;;) {
      const first = this.smallEnd(at, depth);
      if (first >= 0) {
        // A run of small elements goes to JSON.parse in one piece: `[0,0,0,…]` costs one call
        // per 64 KiB, not one per element.
        let runEnd = first;
        let next = this.skipSpace(first);
        while (this.text[next] === COMMA) {
          const start = this.skipSpace(next + 1);
          const end = this.smallEnd(start, depth);
          if (end < 0 || end - at > PIECE_CHARS) break;
          runEnd = end;
          next = this.skipSpace(end);
        }
        const items = this.parsePiece(at, runEnd, true) as unknown[];
        for (const item of items) out.push(item);
        at = runEnd;
      } else {
        const [value, end] = yield* this.value(at, depth);
        out.push(value);
        at = end;
      }
      yield;
      at = this.skipSpace(at);
      const c = this.text[at];
      if (c === CLOSE_BRACKET) return [out, at + 1];
      if (c !== COMMA) throw this.unexpected(at);
      at = this.skipSpace(at + 1);
    }
  }

  /**
   * The end (exclusive) of the object or array at `pos` if it ends within `cap` characters,
   * else -1. Checks nesting on the way: `depth` levels are open around `pos` already.
   */
  private containerEnd(pos: number, depth: number, cap: number): number {
    const t = this.text;
    const stop = Math.min(t.length, pos + cap);
    let level = 0;
    for (let i = pos; i < stop; i++) {
      const c = t[i];
      if (c === QUOTE) {
        i = this.stringEnd(i) - 1;
        if (i >= stop) return -1;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (++level + depth > this.maxDepth) {
          throw new JsonTooDeep(`nested deeper than ${this.maxDepth} levels at position ${i}`);
        }
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (--level === 0) return i + 1;
      }
    }
    if (stop === t.length) throw new JsonError('Unexpected end of JSON input');
    return -1;
  }

  /**
   * The end (exclusive) of the string whose opening quote is at `pos`. JSON's strings are mostly
   * short keys: their first bytes are scanned here, as a native search per string costs more than
   * the bytes; a long one is searched natively from there on.
   */
  stringEnd(pos: number): number {
    const t = this.text;
    const n = t.length;
    let i = pos + 1;
    for (const inline = Math.min(n, i + SHORT_STRING); i < inline; i++) {
      const c = t[i];
      if (c === QUOTE) return i + 1;
      if (c === BACKSLASH) i++;
    }
    // `i` is not escaped: a quote after it ends the string unless an odd run of backslashes
    // (from `i` on) comes right before it.
    for (;;) {
      const q = i < n ? t.indexOf(QUOTE, i) : -1;
      if (q < 0) throw new JsonError(`Unterminated string in JSON at position ${pos}`);
      let slashes = 0;
      while (q - 1 - slashes >= i && t[q - 1 - slashes] === BACKSLASH) slashes++;
      if (slashes % 2 === 0) return q + 1;
      i = q + 1;
    }
  }

  /** The end of a number or literal: the next delimiter. */
  private scalarEnd(pos: number): number {
    const t = this.text;
    let i = pos;
    while (i < t.length) {
      const c = t[i]!;
      if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isSpace(c)) break;
      i++;
    }
    if (i === pos) throw this.unexpected(pos);
    return i;
  }

  /** `JSON.parse` of the text from `start` to `end` (as the elements of an array: `asList`). */
  private parsePiece(start: number, end: number, asList = false): unknown {
    const piece = this.text.utf8Slice(start, end);
    try {
      return JSON.parse(asList ? `[${piece}]` : piece);
    } catch (err) {
      const where = start === 0 ? '' : ` (in the value at position ${start})`;
      throw new JsonError(`${(err as Error).message}${where}`);
    }
  }

  private unexpected(pos: number): JsonError {
    if (pos >= this.text.length) return new JsonError('Unexpected end of JSON input');
    return new JsonError(
      `Unexpected token ${JSON.stringify(this.text.utf8Slice(pos, pos + 1))} in JSON at position ${pos}`,
    );
  }
}
