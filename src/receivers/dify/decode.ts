import { CollectorError } from '../../errors/errors.js';
import { NO_LIMITS } from '../../otlp/limits.js';
import { unpaced } from '../../pipeline/pacer.js';
import { mimeType } from '../../server/content-type.js';
import { type JsonItem, parseJsonItemsSteps } from '../../server/paced-json.js';

/** How a request body is framed, from its Content-Type. */
export type Framing = 'json' | 'ndjson';

const NDJSON_TYPES = new Set([
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-jsonlines',
]);

/** Content types this receiver reads, for the 415 message. */
export const ACCEPTED_TYPES = ['application/json', ...NDJSON_TYPES];

/**
 * The framing a Content-Type asks for. A missing Content-Type is read as JSON (a forwarder
 * script's first `curl -d @file`); anything else is refused with 415.
 */
export function framingOf(contentType: string | undefined): Framing {
  const media = mimeType(contentType);
  if (media === '' || media === 'application/json') return 'json';
  if (NDJSON_TYPES.has(media)) return 'ndjson';
  throw new CollectorError(
    'ERR_UNSUPPORTED_MEDIA_TYPE',
    `unsupported Content-Type "${media}"; send one of ${ACCEPTED_TYPES.join(', ')}`,
  );
}

/** One item of the body, decoded, or the reason it cannot be read. */
export type RawItem = { readonly value: unknown } | { readonly invalid: string };

/**
 * Splits a body into items, in steps (the generator yields between pieces of the body, so a
 * large one can be decoded while the event loop keeps running). JSON: one envelope, or an array
 * of them; a body that is not JSON is a bad request as a whole. NDJSON: one item per non-blank
 * line; a line that is not JSON is that item's problem only. Either way an item nested deeper
 * than `maxDepth` is that item's problem only.
 */
export function* decodeItemsSteps(
  body: Buffer,
  framing: Framing,
  maxDepth: number,
): Generator<void, RawItem[], undefined> {
  const decoded = body.toString('utf8');
  // A byte-order mark some editors write; slicing it off keeps the megabyte-sized string uncopied otherwise.
  const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
  if (framing === 'ndjson') return yield* decodeLines(text, maxDepth);
  let items: JsonItem[];
  try {
    items = yield* parseJsonItemsSteps(text, maxDepth);
  } catch (err) {
    throw new CollectorError(
      'ERR_BAD_REQUEST',
      `the body is not valid JSON: ${(err as Error).message}`,
    );
  }
  if (items.length === 1 && 'value' in items[0]! && !isObjectOrArray(items[0].value)) {
    throw new CollectorError(
      'ERR_BAD_REQUEST',
      'the body must be a JSON object (one envelope) or a JSON array of envelopes',
    );
  }
  return items.map(rawItem);
}

/** `decodeItemsSteps` at once (tests, benchmarks, small bodies). */
export function decodeItems(
  body: Buffer,
  framing: Framing,
  maxDepth = NO_LIMITS.maxDepth,
): RawItem[] {
  return unpaced(decodeItemsSteps(body, framing, maxDepth));
}

function isObjectOrArray(v: unknown): boolean {
  return typeof v === 'object' && v !== null;
}

function rawItem(item: JsonItem): RawItem {
  return 'value' in item ? item : { invalid: item.tooDeep };
}

function* decodeLines(text: string, maxDepth: number): Generator<void, RawItem[], undefined> {
  const items: RawItem[] = [];
  let lineNo = 0;
  for (let start = 0; start <= text.length; ) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    lineNo++;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line === '') continue;
    try {
      const [item] = yield* parseJsonItemsSteps(line, maxDepth, false);
      items.push('value' in item! ? item! : { invalid: `line ${lineNo} is ${item!.tooDeep}` });
    } catch (err) {
      items.push({ invalid: `line ${lineNo} is not valid JSON: ${(err as Error).message}` });
    }
    yield;
  }
  return items;
}
