import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refuseUnlessGetOf } from './get-only.js';
import { type HttpListener, listenHttp } from './listen.js';

describe('refuseUnlessGetOf', () => {
  let listener: HttpListener;
  let base = '';
  beforeAll(async () => {
    listener = await listenHttp('127.0.0.1:0', (req, res) => {
      if (refuseUnlessGetOf('/metrics', req, res)) return;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    });
    base = `http://${listener.address}`;
  });
  afterAll(() => listener.close());

  it.each([
    ['GET', '/metrics', 200, 'ok\n'],
    ['GET', '/metrics?x=1', 200, 'ok\n'],
    ['HEAD', '/metrics', 200, ''],
    ['GET', '/', 404, 'not found; try GET /metrics\n'],
    ['POST', '/metrics', 405, 'method not allowed\n'],
  ])('%s %s → %i', async (method, path, status, body) => {
    const res = await fetch(base + path, { method });
    expect(res.status).toBe(status);
    expect(await res.text()).toBe(body);
    if (status === 405) expect(res.headers.get('allow')).toBe('GET, HEAD');
  });
});
