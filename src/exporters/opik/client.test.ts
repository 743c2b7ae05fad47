import type { IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpListener, listenHttp } from '../../server/listen.js';
import { OpikHttp } from './client.js';

interface Seen {
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

describe('OpikHttp', () => {
  const seen: Seen[] = [];
  let listener: HttpListener;
  let endpoint = '';
  beforeAll(async () => {
    listener = await listenHttp('127.0.0.1:0', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(200).end();
      });
    });
    endpoint = `http://${listener.address}/api`;
  });
  afterAll(() => listener.close());

  const client = (compressionLevel: number, compression: 'gzip' | 'none' = 'gzip') =>
    new OpikHttp({
      endpoint,
      apiKey: 'k',
      workspace: 'w',
      projectName: 'p',
      compression,
      compressionLevel,
      maxBodyBytes: 0,
    });
  const body = Buffer.from('span '.repeat(2000));

  // RFC 1952's XFL byte (offset 8) says which end of the trade-off the compressor took:
  // 4 = fastest, 2 = maximum compression, 0 = anything between.
  it.each([
    [1, 4],
    [6, 0],
    [9, 2],
  ])('gzips with compression_params.level %i (XFL %i)', async (level, xfl) => {
    const http = client(level);
    await http.postOtlp(body, AbortSignal.timeout(5000));
    await http.close();
    const last = seen.at(-1)!;
    expect(last.headers['content-encoding']).toBe('gzip');
    expect(last.body[8]).toBe(xfl);
    expect(gunzipSync(last.body)).toEqual(body);
  });

  it('sends the body as it is with compression none', async () => {
    const http = client(1, 'none');
    await http.postJson('/v1/private/traces/batch', '{"traces":[]}', AbortSignal.timeout(5000));
    await http.close();
    const last = seen.at(-1)!;
    expect(last.headers['content-encoding']).toBeUndefined();
    expect(last.headers.authorization).toBe('k');
    expect(last.headers['comet-workspace']).toBe('w');
    expect(last.body.toString()).toBe('{"traces":[]}');
  });
});
