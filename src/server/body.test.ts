import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readBody } from './body.js';

function request(headers: Record<string, string> = {}): IncomingMessage {
  const stream = new PassThrough() as unknown as IncomingMessage & PassThrough;
  stream.headers = headers;
  return stream;
}

describe('readBody', () => {
  afterEach(() => vi.restoreAllMocks());

  it('joins the chunks of a body within the limit', async () => {
    const req = request() as unknown as PassThrough;
    const body = readBody(req as unknown as IncomingMessage, 10);
    req.write(Buffer.from('abc'));
    req.end(Buffer.from('def'));
    expect((await body).toString()).toBe('abcdef');
  });

  it('refuses a chunked body past the limit and keeps nothing of it, also when the drained request ends', async () => {
    const concat = vi.spyOn(Buffer, 'concat');
    const req = request() as unknown as PassThrough;
    const body = readBody(req as unknown as IncomingMessage, 8);
    req.write(Buffer.alloc(6));
    req.write(Buffer.alloc(6));
    req.end(Buffer.alloc(6));
    await expect(body).rejects.toThrow(/exceeds max_request_body_size \(8 bytes\) as sent/);
    await new Promise((resolve) => req.once('end', resolve));
    expect(concat).not.toHaveBeenCalled();
  });
});
