import { connect } from 'node:http2';
import {
  credentials,
  type Metadata,
  makeGenericClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RetryableError } from '../../errors/errors.js';
import { decodeStatus, decodeTracesResponse, encodeTracesRequest } from '../../otlp/proto-codec.js';
import { rawTraceService } from '../../otlp/trace-service.js';
import { MemoryProbe, oneBigSpan } from '../../testing/memory.js';
import { everyFieldTraces } from '../../testing/otlp-fixtures.js';
import { TestHost, testSettings } from '../../testing/settings.js';
import { TracesSink } from '../../testing/sink.js';
import { otlpConfigSchema } from './config.js';
import { createOtlpReceiver, type OtlpReceiver } from './receiver.js';

const Client = makeGenericClientConstructor(rawTraceService, 'TraceService');

let sink: TracesSink;
let receiver: OtlpReceiver;
let client: InstanceType<typeof Client>;

beforeEach(async () => {
  sink = new TracesSink();
  const config = otlpConfigSchema.parse({ protocols: { grpc: { endpoint: '127.0.0.1:0' } } });
  receiver = createOtlpReceiver(testSettings('receiver', 'otlp'), config, sink);
  await receiver.start(new TestHost());
  client = new Client(receiver.addresses.grpc!, credentials.createInsecure());
});

afterEach(async () => {
  client.close();
  await receiver.shutdown();
});

function exportRaw(body: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    (
      client as unknown as Record<
        string,
        (b: Buffer, cb: (e: ServiceError | null, r: Buffer) => void) => void
      >
    ).Export!(body, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

function statusDetails(metadata: Metadata) {
  const bin = metadata.get('grpc-status-details-bin')[0] as Buffer;
  return decodeStatus(bin);
}

describe('otlp receiver over gRPC', () => {
  it('accepts an Export call and answers an empty response', async () => {
    const reply = await exportRaw(Buffer.from(encodeTracesRequest(everyFieldTraces())));
    expect(decodeTracesResponse(reply)).toBeUndefined();
    expect(sink.batches).toEqual([everyFieldTraces()]);
  });

  it('answers INVALID_ARGUMENT with our message for a broken message, keeping nothing', async () => {
    const err = (await exportRaw(Buffer.from([0x0a, 0xff, 0x01])).catch(
      (e: unknown) => e,
    )) as ServiceError;
    expect(err.code).toBe(3);
    expect(err.details).toMatch(/^invalid protobuf: /);
    expect(statusDetails(err.metadata).code).toBe(3);
    expect(sink.batches).toEqual([]);
  });

  it('answers UNAVAILABLE with RetryInfo when the pipeline refuses', async () => {
    sink.failWith = new RetryableError('ERR_PIPELINE_REFUSED', 'memory is tight', {
      retryAfterMs: 2000,
    });
    const err = (await exportRaw(Buffer.from(encodeTracesRequest(everyFieldTraces()))).catch(
      (e: unknown) => e,
    )) as ServiceError;
    expect(err.code).toBe(14);
    expect(statusDetails(err.metadata)).toEqual({
      code: 14,
      message: 'memory is tight',
      retryDelayMs: 2000,
    });
  });
});

/** One Export call over plain HTTP/2, which sends the frame it is given without copies of its own. */
function exportOverHttp2(address: string, frame: Buffer): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://${address}`);
    session.on('error', reject);
    const stream = session.request({
      ':method': 'POST',
      ':path': '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    stream.on('trailers', (trailers) => {
      session.close();
      resolve(trailers['grpc-status'] as string | undefined);
    });
    stream.on('error', reject);
    stream.resume();
    stream.end(frame);
  });
}

describe('otlp receiver memory over gRPC', () => {
  it('lets go of its copy of the message once it is decoded, before the pipeline answers', async () => {
    const message = Buffer.from(encodeTracesRequest(oneBigSpan(8 * 1024 * 1024)));
    const frame = Buffer.alloc(5 + message.length);
    frame.writeUInt32BE(message.length, 1);
    message.copy(frame, 5);
    const probe = new MemoryProbe();
    const config = otlpConfigSchema.parse({
      protocols: { grpc: { endpoint: '127.0.0.1:0', max_recv_msg_size_mib: 16 } },
    });
    const r = createOtlpReceiver(testSettings('receiver', 'otlp'), config, probe);
    await r.start(new TestHost());
    try {
      await probe.baseline();
      expect(await exportOverHttp2(r.addresses.grpc!, frame)).toBe('0');
      expect(probe.batches).toHaveLength(1);
      // grpc-js keeps the frames it received until the call ends (one copy, ~8 MiB); the message
      // it assembled from them is ours to let go of.
      expect(probe.held.arrayBuffers).toBeLessThan(message.length * 1.5);
    } finally {
      await r.shutdown();
    }
  });
});
