import { PermanentError } from '../errors/errors.js';

/**
 * A problem with one field, raised deep inside a codec. Each container adds its own segment
 * (`spans[3]`, `value`) while the error unwinds, so a path is only built when something is wrong
 * and the happy path carries no path bookkeeping at all.
 */
export class FieldError extends Error {
  constructor(
    /** Where the problem is, relative to the innermost container that has seen it so far. */
    public path: string,
    readonly problem: string,
  ) {
    super(problem);
    this.name = 'FieldError';
  }
}

/**
 * Prepends `field` (or `field[index]`) to the path of `err` if it is a `FieldError`, and returns
 * `err` for rethrowing: `throw locate(err, 'spans', i)`.
 */
export function locate(err: unknown, field: string, index?: number): unknown {
  if (err instanceof FieldError) {
    const segment = index === undefined ? field : `${field}[${index}]`;
    err.path = err.path === '' ? segment : `${segment}.${err.path}`;
  }
  return err;
}

/** `convert(item)`, with an error located at `field`. */
export function within<T, U>(field: string, item: T, convert: (item: T) => U): U {
  try {
    return convert(item);
  } catch (err) {
    throw locate(err, field);
  }
}

/**
 * `items.map(convert)`, but an error from element `i` is located at `field[i]`. Returns `NONE`
 * (a shared frozen array) for an empty input, which saves an allocation per span for the usual
 * spans without events or links.
 */
export function mapWithin<T, U>(
  items: readonly T[],
  field: string,
  convert: (item: T) => U,
): readonly U[] {
  const n = items.length;
  if (n === 0) return NONE;
  const out = new Array<U>(n);
  for (let i = 0; i < n; i++) {
    try {
      out[i] = convert(items[i]!);
    } catch (err) {
      throw locate(err, field, i);
    }
  }
  return out;
}

/** The shared empty list. Frozen, so that code mutating a batch it was given fails loudly. */
export const NONE: readonly never[] = Object.freeze([]);

/** `message` for a located problem: `path: problem`, or the bare problem at the top level. */
export function describeFieldError(err: FieldError): string {
  return err.path === '' ? err.problem : `${err.path}: ${err.problem}`;
}

/**
 * The error a decoder throws for bad input: a `FieldError` becomes `ERR_BAD_REQUEST` with its
 * location; any other failure of the underlying parser is reported with `prefix`
 * (`invalid protobuf: index out of range ...`).
 */
export function badRequest(err: unknown, prefix: string): PermanentError {
  if (err instanceof FieldError) {
    return new PermanentError('ERR_BAD_REQUEST', describeFieldError(err));
  }
  const message = err instanceof Error ? err.message : String(err);
  return new PermanentError('ERR_BAD_REQUEST', `${prefix}: ${message}`, { cause: err });
}

/**
 * The error an encoder throws when pdata breaks its own rules (an id that is not hex, a time out
 * of range): a bug upstream in the pipeline, so retrying cannot help.
 */
export function unencodable(err: unknown): unknown {
  if (err instanceof FieldError) {
    return new PermanentError(
      'ERR_PIPELINE_FAILED',
      `cannot encode traces: ${describeFieldError(err)}`,
    );
  }
  return err;
}
