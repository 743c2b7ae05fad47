import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Reply } from './rest-batch.js';

/** The routes the fake serves (after the optional `/api` prefix is stripped). */
export type Route =
  | 'otlp'
  | 'traces'
  | 'spans'
  | 'read'
  | 'delete'
  | 'ping'
  | 'version'
  | 'auth'
  | 'workspace'
  | 'trace'
  | 'span'
  | 'trace_update'
  | 'span_update'
  | 'trace_scores'
  | 'span_scores';

const UUID_SEGMENT = /^\/v1\/private\/(traces|spans)\/([^/]+)$/;

export function routeOf(method: string, path: string): Route | undefined {
  if ((method === 'GET' || method === 'HEAD') && path === '/is-alive/ping') return 'ping';
  if (method === 'GET' && path === '/is-alive/ver') return 'version';
  if (method === 'POST' && path === '/v1/private/auth') return 'auth';
  if (method === 'GET' && path === '/v1/private/auth/workspace') return 'workspace';
  if (method === 'POST' && path === '/v1/private/traces') return 'trace';
  if (method === 'POST' && path === '/v1/private/spans') return 'span';
  if (method === 'PUT' && path === '/v1/private/traces/feedback-scores') return 'trace_scores';
  if (method === 'PUT' && path === '/v1/private/spans/feedback-scores') return 'span_scores';
  const single = UUID_SEGMENT.exec(path);
  if (method === 'PATCH' && single && single[2] !== 'batch') {
    return single[1] === 'traces' ? 'trace_update' : 'span_update';
  }
  if (method === 'POST' && path === '/v1/private/otel/v1/traces') return 'otlp';
  if (method === 'POST' && path === '/v1/private/traces/batch') return 'traces';
  if (method === 'POST' && path === '/v1/private/spans/batch') return 'spans';
  if (method === 'POST' && path === '/v1/private/traces/delete') return 'delete';
  if (method === 'GET' && /^\/v1\/private\/(traces|spans)\/[0-9a-f-]{36}$/i.test(path))
    return 'read';
  return undefined;
}

export function knownPath(path: string): boolean {
  return [
    '/is-alive/ping',
    '/v1/private/auth',
    '/v1/private/auth/workspace',
    '/v1/private/otel/v1/traces',
    '/v1/private/traces',
    '/v1/private/spans',
    '/v1/private/traces/batch',
    '/v1/private/spans/batch',
    '/v1/private/traces/feedback-scores',
    '/v1/private/spans/feedback-scores',
    '/is-alive/ver',
  ].includes(path);
}

export function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent) return;
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  headers['content-type'] = 'application/json';
  res.writeHead(reply.status, headers).end(JSON.stringify(reply.body));
}

export function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
