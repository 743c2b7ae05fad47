import { CollectorError } from '../../errors/errors.js';
import { mimeType } from '../../server/content-type.js';

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

/** One item of the body, decoded, or the reason its NDJSON line is not JSON. */
export type RawItem = { readonly value: unknown } | { readonly invalid: string };

/**
 * Splits a body into items. JSON: one envelope, or an array of them; a body that is not JSON is
 * a bad request as a whole. NDJSON: one item per non-blank line; a line that is not JSON is that
 * item's problem only.
 */
export function decodeItems(body: Buffer, framing: Framing): RawItem[] {
  const decoded = body.toString('utf8');
  // A byte-order mark some editors write; slicing it off keeps the megabyte-sized string uncopied otherwise.
  const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
  if (framing === 'ndjson') return decodeLines(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CollectorError(
      'ERR_BAD_REQUEST',
      `the body is not valid JSON: ${(err as Error).message}`,
    );
  }
  if (Array.isArray(value)) return value.map((v) => ({ value: v }));
  if (typeof value === 'object' && value !== null) return [{ value }];
  throw new CollectorError(
    'ERR_BAD_REQUEST',
    'the body must be a JSON object (one envelope) or a JSON array of envelopes',
  );
}

function decodeLines(text: string): RawItem[] {
  const items: RawItem[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    try {
      items.push({ value: JSON.parse(line) });
    } catch (err) {
      items.push({ invalid: `line ${i + 1} is not valid JSON: ${(err as Error).message}` });
    }
  }
  return items;
}
