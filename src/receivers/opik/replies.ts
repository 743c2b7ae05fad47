import type { ServerResponse } from 'node:http';

/** An answer in Opik's own forms (reference/opik-api-contracts.md §0). */
export interface OpikReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** `{"code":N,"message":…[,"details":…]}`: Dropwizard's error body (auth, JSON, ids, routing, limits). */
export function opikError(status: number, message: string, details?: string): OpikReply {
  return {
    status,
    body: details === undefined ? { code: status, message } : { code: status, message, details },
  };
}

/** `422 {"errors":[…]}`: bean validation. */
export function validationError(errors: readonly string[]): OpikReply {
  return { status: 422, body: { errors } };
}

export const NOT_FOUND = opikError(404, 'HTTP 404 Not Found');
export const METHOD_NOT_ALLOWED = opikError(405, 'HTTP 405 Method Not Allowed');
export const UNSUPPORTED_MEDIA_TYPE = opikError(415, 'HTTP 415 Unsupported Media Type');

export function send(res: ServerResponse, reply: OpikReply): void {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  const body = JSON.stringify(reply.body);
  headers['content-type'] = 'application/json';
  headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(reply.status, headers).end(body);
}
