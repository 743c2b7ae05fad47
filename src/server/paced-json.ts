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

/**
 * Members of each item that its reader never looks at, as a tree of keys from the item's top:
 * `omissions([['trace_info', 'workflow_data', 'graph']])`. Such a member is not built: the
 * parser finds where it ends (its strings and brackets) and `JSON.parse` never sees it, so its
 * content is not checked either. Where a name occurs twice in one object only the first is sure
 * to be left out, and a key written with escapes is not recognised: a reader must not depend on
 * the member's absence.
 */
export type JsonOmissions = readonly OmittedKey[];

type OmittedKey = {
  /** The key as JSON text, quotes included, to compare with the body's bytes. */
  readonly quoted: Buffer;
  /** The members to leave out inside this one, or `undefined` to leave out this one. */
  readonly inside: JsonOmissions | undefined;
};

/** The tree of `JsonOmissions` for these key paths. */
export function omissions(paths: readonly (readonly string[])[]): JsonOmissions {
  const keys = [...new Set(paths.map((path) => path[0]!))];
  return keys.map((key) => {
    const under = paths.filter((path) => path[0] === key);
    const whole = under.some((path) => path.length === 1);
    return {
      quoted: Buffer.from(JSON.stringify(key)),
      inside: whole ? undefined : omissions(under.map((path) => path.slice(1))),
    };
  });
}

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
  omit?: JsonOmissions,
): Generator<undefined, JsonItem[], undefined> {
  const items: JsonItem[] = [];
  for (const step of jsonItemSteps(body, maxDepth, split, maxItems, omit)) {
    if (step) items.push(step);
    yield;
  }
  return items;
}

/**
 * `parseJsonItemsSteps` as a stream: each item is yielded as soon as it is parsed (`undefined`
 * between pieces of an item), so a caller can take it and let it go before the next one is
 * built. A flaw after some items were yielded (a syntax error further on, one item too many)
 * still throws, at the point where it is found. Members `omit` names are left out of each item.
 */
export function* jsonItemSteps(
  body: string | Uint8Array,
  maxDepth: number,
  split = true,
  maxItems = Number.POSITIVE_INFINITY,
  omit?: JsonOmissions,
): Generator<JsonItem | undefined, void, undefined> {
  const text = bytesOf(body);
  const p = new Parser(text, maxDepth, maxItems, omit);
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

/** The entry of `omit` whose key is the JSON string from `start` to `end` of `text`, if any. */
function omitted(
  omit: JsonOmissions,
  text: Json,
  start: number,
  end: number,
): OmittedKey | undefined {
  for (const o of omit) {
    if (o.quoted.length === end - start && o.quoted.compare(text, start, end) === 0) return o;
  }
  return undefined;
}

class Parser {
  constructor(
    private readonly text: Json,
    private readonly maxDepth: number,
    private readonly maxItems = Number.POSITIVE_INFINITY,
    private readonly omit?: JsonOmissions,
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
      const [value, end] = yield* this.value(pos, 0, this.omit);
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

  /**
   * The value starting at `pos` (no leading space) and the position just after it, without the
   * members `omit` names if it is an object.
   */
  *value(
    pos: number,
    depth: number,
    omit?: JsonOmissions,
  ): Generator<undefined, [unknown, number], undefined> {
    const end = this.smallEnd(pos, depth);
    if (end >= 0) return [this.parsePiece(pos, end, false, omit && this.cuts(pos, omit)), end];
    return this.text[pos] === OPEN_BRACE
      ? yield* this.object(pos, depth + 1, omit)
      : yield* this.array(pos, depth + 1);
  }

  /**
   * Where the members `omit` names are in the object at `pos` and in the objects inside it: the
   * [start, end) pairs of bytes to leave out, in order, each with the comma that separates it
   * from the next member (or from the one before, if it is the last). Stops reading an object
   * once each name was found in it. Malformed text is left for `JSON.parse` to report.
   */
  private cuts(pos: number, omit: JsonOmissions, out: number[] = []): number[] {
    const t = this.text;
    if (t[pos] !== OPEN_BRACE) return out;
    let left = omit.length;
    let at = this.skipSpace(pos + 1);
    let kept = -1; // the end of the last member kept
    while (left > 0 && t[at] === QUOTE) {
      const keyEnd = this.stringEnd(at);
      const colon = this.skipSpace(keyEnd);
      if (t[colon] !== COLON) return out;
      const valueStart = this.skipSpace(colon + 1);
      const named = omitted(omit, t, at, keyEnd);
      if (named?.inside) {
        this.cuts(valueStart, named.inside, out);
        if (--left === 0) return out;
      }
      const valueEnd = this.skipValue(valueStart);
      const next = this.skipSpace(valueEnd);
      if (named && !named.inside) {
        left--;
        if (t[next] === COMMA) out.push(at, this.skipSpace(next + 1));
        else if (kept < 0) out.push(at, valueEnd);
        else {
          // The last member goes with the comma before it, and with the members left out
          // since the last one kept.
          while (out.length > 0 && out[out.length - 2]! >= kept) out.length -= 2;
          out.push(kept, valueEnd);
        }
      } else kept = valueEnd;
      if (t[next] !== COMMA) return out;
      at = this.skipSpace(next + 1);
    }
    return out;
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

  private *object(
    pos: number,
    depth: number,
    omit: JsonOmissions | undefined,
  ): Generator<undefined, [unknown, number], undefined> {
    const out: Record<string, unknown> = {};
    let at = this.skipSpace(pos + 1);
    if (this.text[at] === CLOSE_BRACE) return [out, at + 1];
    for (;;) {
      if (this.text[at] !== QUOTE) throw this.unexpected(at);
      const keyEnd = this.stringEnd(at);
      const key = this.parsePiece(at, keyEnd) as string;
      const named = omit && omitted(omit, this.text, at, keyEnd);
      at = this.skipSpace(keyEnd);
      if (this.text[at] !== COLON) throw this.unexpected(at);
      at = this.skipSpace(at + 1);
      let end: number;
      if (named && !named.inside) end = this.skipValue(at);
      else {
        const [value, valueEnd] = yield* this.value(at, depth, named?.inside);
        setJsonKey(out, key, value);
        end = valueEnd;
      }
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

  /**
   * `JSON.parse` of the text from `start` to `end` (as the elements of an array: `asList`),
   * without the [start, end) pairs in `cuts`.
   */
  private parsePiece(start: number, end: number, asList = false, cuts?: number[]): unknown {
    let piece: string;
    if (cuts === undefined || cuts.length === 0) piece = this.text.utf8Slice(start, end);
    else {
      piece = '';
      let from = start;
      for (let i = 0; i < cuts.length; i += 2) {
        piece += this.text.utf8Slice(from, cuts[i]!);
        from = cuts[i + 1]!;
      }
      piece += this.text.utf8Slice(from, end);
    }
    try {
      return JSON.parse(asList ? `[${piece}]` : piece);
    } catch (err) {
      // Reported from the whole text, for the positions in the message.
      if (cuts !== undefined && cuts.length > 0) return this.parsePiece(start, end, asList);
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
