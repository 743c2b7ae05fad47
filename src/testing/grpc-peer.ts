import {
  createServer,
  type Http2Server,
  type IncomingHttpHeaders,
  type ServerHttp2Session,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeTracesRequest, encodeStatus } from '../otlp/proto-codec.js';
import type { Traces } from '../pdata/traces.js';

/** One `Export` call as it arrived on the wire. */
export interface PeerCall {
  readonly headers: IncomingHttpHeaders;
  /** The message's compressed flag (the first byte of the gRPC frame). */
  readonly compressedFlag: number;
  readonly traces: Traces;
  readonly at: number;
}

/** What the peer answers: OK with a reply message, or a status with an optional `RetryInfo`. */
export type PeerReply =
  | { readonly ok: true; readonly message?: Uint8Array }
  /** Never answers. */
  | { readonly ok: 'hang' }
  | {
      readonly ok: false;
      readonly code: number;
      readonly details: string;
      readonly retryDelayMs?: number;
    };

/**
 * A gRPC server written against plain HTTP/2 (h2c), so a test sees the bytes a client sends: the
 * headers (metadata, `grpc-encoding`, `user-agent`) and the frame's compressed flag. It serves
 * one unary method and answers each call with `reply(call)`.
 */
export class GrpcPeer {
  readonly calls: PeerCall[] = [];
  private server?: Http2Server;
  private readonly sessions = new Set<ServerHttp2Session>();
  address = '';

  constructor(private readonly reply: (call: PeerCall, n: number) => PeerReply) {}

  async start(): Promise<this> {
    this.server = createServer();
    this.server.on('session', (s) => {
      this.sessions.add(s);
      s.on('close', () => this.sessions.delete(s));
    });
    this.server.on('stream', (stream, headers) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const frame = Buffer.concat(chunks);
        const flag = frame.readUInt8(0);
        const payload = frame.subarray(5, 5 + frame.readUInt32BE(1));
        const call: PeerCall = {
          headers,
          compressedFlag: flag,
          traces: decodeTracesRequest(flag === 1 ? gunzipSync(payload) : payload),
          at: Date.now(),
        };
        this.calls.push(call);
        const r = this.reply(call, this.calls.length);
        if (r.ok === 'hang') return;
        if (r.ok) {
          const message = Buffer.from(r.message ?? new Uint8Array(0));
          const out = Buffer.alloc(5 + message.length);
          out.writeUInt32BE(message.length, 1);
          message.copy(out, 5);
          stream.respond(
            { ':status': 200, 'content-type': 'application/grpc' },
            { waitForTrailers: true },
          );
          stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
          stream.end(out);
          return;
        }
        const details = encodeStatus({
          code: r.code,
          message: r.details,
          retryDelayMs: r.retryDelayMs,
        });
        stream.respond(
          {
            ':status': 200,
            'content-type': 'application/grpc',
            'grpc-status': String(r.code),
            'grpc-message': encodeURIComponent(r.details),
            'grpc-status-details-bin': Buffer.from(details).toString('base64').replace(/=+$/, ''),
          },
          { endStream: true },
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.address = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      for (const s of this.sessions) s.destroy();
    });
  }
}
