import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * For a server with one read-only resource (`/metrics`, the health path): answers 404 for any
 * other path and 405 for any method but GET and HEAD (load balancers probe with either; Node
 * drops the body of a HEAD answer). Returns true when it answered, so the caller stops.
 */
export function refuseUnlessGetOf(
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  if ((req.url ?? '/').split('?')[0] !== path) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found; try GET ${path}\n`);
    return true;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res
      .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' })
      .end('method not allowed\n');
    return true;
  }
  return false;
}
