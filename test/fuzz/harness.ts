import { connect } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { credentials, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { request } from 'undici';
import { rawTraceService } from '../../src/otlp/trace-service.js';

/** How often the stall sampler ticks, in ms. */
const TICK_MS = 2;

/**
 * The longest the event loop was blocked while `work` ran, in ms, two ways:
 * - `wallMs`: perf_hooks' event-loop delay histogram (`monitorEventLoopDelay`), wall-clock;
 * - `stallMs`: the same delays with the time the operating system did not run the process taken
 *   out: each delay counts at most the CPU time the process used meanwhile. On a machine shared
 *   with other busy processes a wall-clock delay also measures how long the process waited for
 *   a core; `stallMs` is what this process's own work (JavaScript, garbage collection) held the
 *   loop.
 */
export async function stallOf<T>(
  work: () => Promise<T>,
): Promise<{ result: T; stallMs: number; wallMs: number }> {
  await nextTurn();
  const h = monitorEventLoopDelay({ resolution: TICK_MS });
  let stall = 0;
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  const sampler = setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage();
    const delay = now - last - TICK_MS;
    const used = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
    stall = Math.max(stall, Math.min(delay, used));
    last = now;
    lastCpu = cpu;
  }, TICK_MS);
  h.enable();
  try {
    const result = await work();
    await nextTurn();
    return { result, stallMs: stall, wallMs: h.max / 1e6 };
  } finally {
    h.disable();
    clearInterval(sampler);
  }
}

/** POSTs (or PATCHes) a body; resolves with the status and the answer's text (a reset connection: status 0). */
export async function post(
  url: string,
  body: Buffer,
  headers: Record<string, string>,
  method: 'POST' | 'PATCH' = 'POST',
): Promise<{ status: number; text: string }> {
  try {
    const res = await request(url, { method, body, headers, headersTimeout: 60_000 });
    return { status: res.statusCode, text: await res.body.text() };
  } catch (err) {
    return { status: 0, text: (err as Error).message };
  }
}

const TraceService = makeGenericClientConstructor(rawTraceService, 'TraceService');

/** A raw OTLP/gRPC client: sends request bytes as they are, resolves with the status code. */
export function grpcClient(address: string) {
  const client = new TraceService(address, credentials.createInsecure(), {
    'grpc.max_send_message_length': 64 * 1024 * 1024,
  }) as unknown as {
    Export(b: Buffer, cb: (err: ServiceError | null) => void): void;
    close(): void;
  };
  return {
    send: (body: Buffer) =>
      new Promise<{ code: number; details: string }>((resolve) =>
        client.Export(body, (err) =>
          resolve({ code: err?.code ?? 0, details: err?.details ?? '' }),
        ),
      ),
    close: () => client.close(),
  };
}

/**
 * HTTP framing lies, sent on a raw connection: a Content-Length longer than the body (then the
 * connection closes), shorter than the body, a broken chunked encoding, both framings at once.
 * Resolves with what came back (possibly nothing) once the connection closes.
 */
export function framingLie(address: string, path: string, which: number): Promise<string> {
  const i = address.lastIndexOf(':');
  const socket = connect(Number(address.slice(i + 1)), address.slice(0, i));
  const head = `POST ${path} HTTP/1.1\r\nHost: fuzz\r\nContent-Type: application/json\r\n`;
  const lies = [
    `${head}Content-Length: 100000\r\n\r\n{"resourceSpans":[`,
    `${head}Content-Length: 2\r\n\r\n{}{"resourceSpans":[]} GARBAGE\r\n\r\n`,
    `${head}Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    `${head}Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
    `${head}Transfer-Encoding: chunked\r\n\r\nfffffffffff\r\n{}`,
  ];
  return new Promise((resolve) => {
    let got = '';
    socket.on('data', (d) => (got += d.toString()));
    socket.on('error', () => {});
    socket.on('close', () => resolve(got));
    socket.write(lies[which % lies.length]!);
    // The first lie never finishes its body: the client gives up, as a real one would.
    setTimeout(() => socket.end(), 200);
    setTimeout(() => socket.destroy(), 2000);
  });
}

export const FRAMING_LIES = 5;
