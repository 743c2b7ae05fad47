import type { IncomingMessage } from 'node:http';
import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { CollectorError } from '../errors/errors.js';
import { memoryBudget, noMemoryError, type Reservation } from '../pipeline/memory-budget.js';

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  zlib: createInflate,
  br: createBrotliDecompress,
};

/** Content-Encoding values a receiver accepts (`identity` or none, gzip, deflate/zlib, br). */
export const SUPPORTED_ENCODINGS = ['identity', ...Object.keys(DECODERS)];

const ignore = () => {};

const tooLarge = (limit: number, stage: string) =>
  new CollectorError(
    'ERR_BODY_TOO_LARGE',
    `request body exceeds max_request_body_size (${limit} bytes) ${stage}`,
  );

/**
 * Reserves memory for a request before its body is read (`pipeline/memory-budget.ts`), from its
 * Content-Length; a body sent in chunks reserves as it arrives. Throws the retryable refusal
 * (503 with Retry-After) when the memory_limiter's limit would be passed. A body declared over
 * `limit` reserves nothing: `readBody` refuses it for good (413) without reading it.
 */
export function reserveForBody(req: IncomingMessage, limit: number): Reservation {
  const declared = Number(req.headers['content-length']);
  const reservation = memoryBudget.reserve(
    Number.isFinite(declared) && declared > 0 && declared <= limit ? declared : 0,
  );
  if (!reservation) throw noMemoryError();
  return reservation;
}

/**
 * Reads a request body, decompressing it as its Content-Encoding says. The limit applies to the
 * bytes on the wire and again to the bytes after decompression, while they stream, so a
 * compression bomb is cut off at the limit instead of filling memory. With a `reservation`,
 * bytes beyond what it covers (a chunked body, a decompressed one) are reserved as they come,
 * and the request is refused (retryably) when there is no memory for them.
 */
export async function readBody(
  req: IncomingMessage,
  limit: number,
  reservation?: Reservation,
): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const makeDecoder = encoding === 'identity' || encoding === '' ? undefined : DECODERS[encoding];
  if (encoding !== 'identity' && encoding !== '' && !makeDecoder) {
    req.resume();
    throw new CollectorError(
      'ERR_UNSUPPORTED_ENCODING',
      `unsupported Content-Encoding "${encoding}"; use one of ${SUPPORTED_ENCODINGS.join(', ')}`,
    );
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge(limit, 'as sent');
  }
  const declaredBytes = Number.isFinite(declared) && declared > 0 ? declared : 0;
  let covered = declaredBytes;
  let held = 0;
  const account = reservation
    ? (n: number) => {
        held += n;
        if (held <= covered) return true;
        const more = held - covered;
        covered = held;
        return reservation.grow(more);
      }
    : undefined;
  const raw = await collect(req, limit, 'as sent', 'drain', account);
  if (!makeDecoder) return raw;
  const decoder = makeDecoder();
  const inflated = collect(decoder, limit, 'after decompression', 'destroy', account);
  decoder.end(raw);
  try {
    return await inflated;
  } catch (err) {
    if (err instanceof CollectorError) throw err;
    throw new CollectorError(
      'ERR_BAD_REQUEST',
      `invalid ${encoding} body: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

/**
 * Buffers a stream up to `limit` bytes. Past the limit, a request is drained (read and discarded,
 * so the client still gets its 413 on a healthy connection); a decompressor is destroyed.
 */
function collect(
  stream: NodeJS.ReadableStream & { destroy(): void },
  limit: number,
  stage: string,
  onOverflow: 'drain' | 'destroy',
  account?: (bytes: number) => boolean,
): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let stopped = false;
    const stop = (err: Error) => {
      stopped = true;
      stream.removeAllListeners('data');
      chunks.length = 0;
      if (onOverflow === 'drain') stream.resume();
      else stream.destroy();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return stop(tooLarge(limit, stage));
      if (account && !account(chunk.length)) return stop(noMemoryError());
      chunks.push(chunk);
    };
    stream.on('data', onData);
    stream.once('end', () => {
      // A drained request still ends; what it sent past the limit was never kept.
      if (stopped) return;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      // A request lives until it is answered, and so would whatever its listeners hold: the
      // chunks, and (through `reject`) this promise and so the body. Let go of them, so that the
      // body is freed as soon as the caller has decoded it.
      stream.removeListener('data', onData);
      stream.removeListener('error', reject);
      stream.on('error', ignore);
      resolve(body);
    });
    stream.once('error', reject);
  });
}
