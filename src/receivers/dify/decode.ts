import { CollectorError } from '../../errors/errors.js';
import { NO_LIMITS } from '../../otlp/limits.js';
import { mimeType } from '../../server/content-type.js';
import {
  type JsonItem,
  JsonTooManyItems,
  jsonItemSteps,
  omissions,
  parseJsonItemsSteps,
} from '../../server/paced-json.js';

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

/**
 * What the mapping never reads and the parser need not build: `workflow_data` is Dify's
 * WorkflowRun row, of which the mapping keeps four facts (`mapping/workflow.ts`, `runFacts`);
 * its `graph` is the app's whole canvas (every node's settings, prompts and code), and its
 * `inputs` and `outputs` repeat `workflow_run_inputs` and `workflow_run_outputs`.
 */
const UNREAD = omissions(
  ['graph', 'inputs', 'outputs'].map((key) => ['trace_info', 'workflow_data', key]),
);

/** One item of the body, decoded, or the reason it cannot be read. */
export type RawItem = { readonly value: unknown } | { readonly invalid: string };

/**
 * Splits a body into items, in steps: yields each item as soon as it is decoded (`undefined`
 * between pieces of the body, so a large one can be decoded while the event loop keeps running),
 * so that the caller can convert it and let it go before the next one is built. JSON: one
 * envelope, or an array of them; a body that is not JSON is a bad request as a whole (thrown
 * where the flaw is found, possibly after some items were yielded). NDJSON: one item per
 * non-blank line; a line that is not JSON is that item's problem only. Either way an item nested
 * deeper than `maxDepth` is that item's problem only.
 */
export function* decodeItemsSteps(
  body: Buffer,
  framing: Framing,
  maxDepth: number,
  maxItems = Number.POSITIVE_INFINITY,
): Generator<RawItem | undefined, void, undefined> {
  // A byte-order mark some editors write.
  const text = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? body.subarray(3) : body;
  if (framing === 'ndjson') return yield* decodeLines(text, maxDepth, maxItems);
  try {
    if (startsArray(text)) {
      for (const step of jsonItemSteps(text, maxDepth, true, maxItems, UNREAD)) {
        yield step && rawItem(step);
      }
      return;
    }
    const [item] = yield* parseJsonItemsSteps(text, maxDepth, true, maxItems, UNREAD);
    if ('value' in item! && !isObjectOrArray(item.value)) {
      throw new CollectorError(
        'ERR_BAD_REQUEST',
        'the body must be a JSON object (one envelope) or a JSON array of envelopes',
      );
    }
    yield rawItem(item!);
  } catch (err) {
    if (err instanceof CollectorError) throw err;
    if (err instanceof JsonTooManyItems) throw tooManyItems(maxItems);
    throw new CollectorError(
      'ERR_BAD_REQUEST',
      `the body is not valid JSON: ${(err as Error).message}`,
    );
  }
}

/** `decodeItemsSteps` at once, every item in a list (tests, benchmarks, small bodies). */
export function decodeItems(
  body: Buffer,
  framing: Framing,
  maxDepth = NO_LIMITS.maxDepth,
): RawItem[] {
  const items: RawItem[] = [];
  for (const step of decodeItemsSteps(body, framing, maxDepth)) if (step) items.push(step);
  return items;
}

function isBlank(line: Buffer): boolean {
  for (const b of line) if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  return true;
}

/** Whether the body's first non-blank byte opens an array (a list of items, whatever they are). */
function startsArray(text: Buffer): boolean {
  for (const b of text) if (b !== 0x20 && b !== 0x09 && b !== 0x0d && b !== 0x0a) return b === 0x5b;
  return false;
}

function isObjectOrArray(v: unknown): boolean {
  return typeof v === 'object' && v !== null;
}

function rawItem(item: JsonItem): RawItem {
  return 'value' in item ? item : { invalid: item.tooDeep };
}

/**
 * Each item makes at least one span (a rejected one counts as one, as in the metrics), so a
 * request with more items than `limits::max_spans_per_request` is refused as a whole: reading a
 * million bad lines one by one is work no request should cause.
 */
function tooManyItems(max: number): CollectorError {
  return new CollectorError(
    'ERR_TOO_MANY_SPANS',
    `the request holds more than ${max} items (limits::max_spans_per_request; each item is at least one span); send smaller batches`,
  );
}

function* decodeLines(
  text: Buffer,
  maxDepth: number,
  maxItems: number,
): Generator<RawItem | undefined, void, undefined> {
  let items = 0;
  let lineNo = 0;
  for (let start = 0; start <= text.length; ) {
    const nl = text.indexOf(0x0a, start);
    const end = nl < 0 ? text.length : nl;
    lineNo++;
    const line = text.subarray(start, end);
    start = end + 1;
    if (isBlank(line)) continue;
    if (items++ >= maxItems) throw tooManyItems(maxItems);
    let item: RawItem;
    try {
      const [parsed] = yield* parseJsonItemsSteps(line, maxDepth, false, undefined, UNREAD);
      item = 'value' in parsed! ? parsed! : { invalid: `line ${lineNo} is ${parsed!.tooDeep}` };
    } catch (err) {
      item = { invalid: `line ${lineNo} is not valid JSON: ${(err as Error).message}` };
    }
    yield item;
  }
}
