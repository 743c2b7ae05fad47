import type { IncomingMessage } from 'node:http';
import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { CollectorError } from '../errors/errors.js';

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
 * Reads a request body, decompressing it as its Content-Encoding says. The limit applies to the
 * bytes on the wire and again to the bytes after decompression, while they stream, so a
 * compression bomb is cut off at the limit instead of filling memory.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
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
  const raw = await collect(req, limit, 'as sent', 'drain');
  if (!makeDecoder) return raw;
  const decoder = makeDecoder();
  const inflated = collect(decoder, limit, 'after decompression', 'destroy');
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
): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stream.removeAllListeners('data');
        if (onOverflow === 'drain') stream.resume();
        else stream.destroy();
        reject(tooLarge(limit, stage));
        return;
      }
      chunks.push(chunk);
    };
    stream.on('data', onData);
    stream.once('end', () => {
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
