import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerAuthenticator } from '../../component/auth.js';
import type { TracesConsumer } from '../../component/types.js';
import { CollectorError, errorMessage } from '../../errors/errors.js';
import { type DecodeLimits, Truncations } from '../../otlp/limits.js';
import { spanCount } from '../../pdata/count.js';
import type { Traces } from '../../pdata/traces.js';
import type { Reservation } from '../../pipeline/memory-budget.js';
import type { ReceiverReport } from '../../receiverhelper/obsreport.js';
import { readBody, reserveForBody } from '../../server/body.js';
import { mimeType } from '../../server/content-type.js';
import { replyFor } from '../../server/status.js';
import { encodingFor, type OtlpEncoding } from './encoding.js';

export interface TracesHttpOptions {
  readonly path: string;
  /** Dify's Aliyun provider: `/adapt_<key>/api/otlp/traces`, and 405 to its HEAD probe. */
  readonly difyAliyun?: boolean;
  readonly maxBodySize: number;
  readonly limits: DecodeLimits;
  /** Checks every request's credentials before anything else is read. */
  readonly auth?: ServerAuthenticator;
  readonly next: TracesConsumer;
  readonly report: ReceiverReport;
  /** False once shutdown began: new requests get 503. */
  readonly accepting: () => boolean;
}

/**
 * OTLP/HTTP traces endpoint: `POST {path}` with protobuf or JSON, optionally compressed. The
 * reply comes only after the pipeline accepted the data, in the request's encoding; errors are
 * `google.rpc.Status` bodies with the status code `replyFor` chooses (Retry-After on refusals).
 */
const ALIYUN_PATH = /^\/adapt_[^/]+\/api\/otlp\/traces$/;

export function createTracesHttpHandler(opts: TracesHttpOptions) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res, opts).catch((err: unknown) => {
      // Only reached if writing the reply itself failed; the socket is gone or broken.
      res.destroy(err instanceof Error ? err : undefined);
    });
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  opts: TracesHttpOptions,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (opts.difyAliyun && req.method === 'HEAD') {
    res.setHeader('allow', 'POST');
    return plain(res, 405, '405 method not allowed, supported: [POST]');
  }
  if (opts.auth) {
    try {
      opts.auth.authenticate(req.headers);
    } catch (err) {
      req.resume();
      opts.report.badRequest('ERR_UNAUTHENTICATED');
      res.setHeader('www-authenticate', 'Bearer');
      return plain(res, 401, `401 unauthorized: ${errorMessage(err)}`);
    }
  }
  if (path !== opts.path && !(opts.difyAliyun && ALIYUN_PATH.test(path))) {
    req.resume();
    opts.report.badRequest('ERR_NOT_FOUND');
    return plain(res, 404, `404 not found: OTLP traces are accepted at POST ${opts.path}`);
  }
  if (req.method !== 'POST') {
    req.resume();
    opts.report.badRequest('ERR_METHOD_NOT_ALLOWED');
    res.setHeader('allow', 'POST');
    return plain(res, 405, `405 method not allowed, supported: [POST]`);
  }
  const mime = mimeType(req.headers['content-type']);
  const encoding = encodingFor(mime);
  if (!encoding) {
    req.resume();
    opts.report.badRequest('ERR_UNSUPPORTED_MEDIA_TYPE');
    return plain(
      res,
      415,
      `415 unsupported media type ${JSON.stringify(mime)}, supported: [application/json, application/x-protobuf]`,
    );
  }
  if (!opts.accepting()) {
    req.resume();
    opts.report.badRequest('ERR_SHUTTING_DOWN');
    return failure(
      res,
      encoding,
      new CollectorError('ERR_SHUTTING_DOWN', 'the collector is shutting down'),
    );
  }
  let reservation: Reservation;
  try {
    // Before the body is read: a request the memory limit has no room for is not read at all.
    reservation = reserveForBody(req, opts.maxBodySize);
  } catch (err) {
    req.resume();
    opts.report.badRequest('ERR_PIPELINE_REFUSED');
    return failure(res, encoding, err);
  }
  try {
    let traces: Traces;
    const cut = new Truncations();
    try {
      // No local holds the body: it would live until the pipeline answers (a batch in its wire
      // form holds it instead, as the spans it stands for).
      traces = await encoding.decode(
        await readBody(req, opts.maxBodySize, reservation),
        opts.limits,
        cut,
        opts.next.takesWire === true,
      );
    } catch (err) {
      if (err instanceof CollectorError) opts.report.badRequest(err.code);
      return failure(res, encoding, err);
    }
    const spans = spanCount(traces);
    try {
      if (spans > 0) await opts.next.consume(traces);
    } catch (err) {
      opts.report.refused(spans);
      return failure(res, encoding, err);
    }
    opts.report.accepted(spans);
    opts.report.truncated(cut);
  } finally {
    reservation.release();
  }
  res.writeHead(200, { 'content-type': encoding.contentType }).end(encoding.encodeResponse());
}

function failure(res: ServerResponse, encoding: OtlpEncoding, err: unknown): void {
  const reply = replyFor(err);
  const headers: Record<string, string> = { 'content-type': encoding.contentType };
  if (reply.retryAfterSeconds !== undefined)
    headers['retry-after'] = String(reply.retryAfterSeconds);
  const body = encoding.encodeStatus({
    code: reply.grpcCode,
    message: reply.message,
    retryDelayMs:
      reply.retryAfterSeconds === undefined ? undefined : reply.retryAfterSeconds * 1000,
  });
  res.writeHead(reply.httpStatus, headers).end(body);
}

function plain(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
}
