import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refuseUnlessGetOf } from './get-only.js';

describe('refuseUnlessGetOf', () => {
  const server = createServer((req, res) => {
    if (refuseUnlessGetOf('/metrics', req, res)) return;
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  });
  let base = '';
  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());

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
