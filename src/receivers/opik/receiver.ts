import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Component, Settings, TracesConsumer } from '../../component/types.js';
import type { ErrorCode } from '../../errors/codes.js';
import { CollectorError, RetryableError } from '../../errors/errors.js';
import { newUuidV7 } from '../../opik-ids/uuid.js';
import { makeTraces } from '../../pdata/span.js';
import type { KeyValue, Traces } from '../../pdata/traces.js';
import type { Reservation } from '../../pipeline/memory-budget.js';
import { Pacer, paced } from '../../pipeline/pacer.js';
import { type ReceiverReport, receiverReport } from '../../receiverhelper/obsreport.js';
import { readBody, reserveForBody } from '../../server/body.js';
import { mimeType } from '../../server/content-type.js';
import { type HttpListener, listenHttp } from '../../server/listen.js';
import { listenOptions } from '../../server/server-settings.js';
import { replyFor } from '../../server/status.js';
import { apiKeyCheck } from './auth.js';
import type { OpikReceiverConfig } from './config.js';
import { type ReceivedItem, readBatchSteps, readSingle } from './items.js';
import { JsonSyntaxError, type LosslessJson, parseLosslessSteps } from './lossless-json.js';
import { type OpikReceiverMetrics, opikReceiverMetrics, type WriteRoute } from './metrics.js';
import type { OpikRelay } from './relay.js';
import {
  METHOD_NOT_ALLOWED,
  NOT_FOUND,
  type OpikReply,
  opikError,
  send,
  UNSUPPORTED_MEDIA_TYPE,
} from './replies.js';
import { parseUrl, type Route, routeOf, writeRoute } from './routes.js';
import { toSpanSteps } from './to-span.js';

const PING = { status: 200, body: { message: 'Healthy Server', healthy: true } };

/**
 * The `opik` receiver: Opik's ingest API as Opik's SDKs call it (reference/opik-sdk-ingest.md §15),
 * so Dify's own Opik provider and any Opik SDK write through the collector. Writes become spans
 * in the pipeline and are answered 2xx only once the pipeline has them; every other call is
 * relayed to the configured Opik. Answers are Opik's (README.md, "Answers").
 */
export class OpikReceiver implements Component {
  private listener?: HttpListener;
  private relay?: OpikRelay;
  private accepting = false;
  private stopped?: Promise<void>;
  private readonly report: ReceiverReport;
  private readonly metrics: OpikReceiverMetrics;
  private readonly checkKey: ReturnType<typeof apiKeyCheck>;
  private readonly lastLogged = new Map<string, number>();

  constructor(
    private readonly settings: Settings,
    private readonly config: OpikReceiverConfig,
    private readonly next: TracesConsumer,
    private readonly now: () => number = Date.now,
  ) {
    this.report = receiverReport(settings, 'http');
    this.metrics = opikReceiverMetrics(settings);
    this.checkKey = apiKeyCheck(config.api_keys.filter((k) => k.trim() !== ''));
  }

  /** The bound `host:port` once started (the real port when the config said 0). */
  get address(): string | undefined {
    return this.listener?.address;
  }

  async start(): Promise<void> {
    if (this.listener) return;
    this.accepting = true;
    if (this.config.relay.enabled) {
      // The relay's HTTP client (undici) is loaded when it first relays a request.
      const { OpikRelay } = await import('./relay.js');
      this.relay = new OpikRelay(this.config.relay);
    }
    this.listener = await listenHttp(
      this.config.endpoint,
      (req, res) => {
        this.handle(req, res).catch((err: unknown) => this.failed(req, res, err));
      },
      listenOptions(this.config, this.settings.logger),
    );
    this.settings.logger.info(
      { endpoint: this.listener.address, tls: this.config.tls !== undefined },
      'opik receiver listening',
    );
    const open = this.config.api_keys.every((k) => k.trim() === '');
    if (this.relay && open && this.config.relay.api_key !== '') {
      this.settings.logger.warn(
        'opik receiver: no api_keys, so any caller that reaches it uses the relay’s Opik API key; set api_keys unless the network is trusted',
      );
    }
  }

  shutdown(): Promise<void> {
    this.stopped ??= (async () => {
      this.accepting = false;
      await this.listener?.close();
      await this.relay?.close();
    })();
    return this.stopped;
  }

  /**
   * A fault of the receiver itself: Opik's 500 when the answer can still be written (logged), else
   * the connection is closed. Never an unhandled rejection.
   */
  private failed(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    this.settings.logger.error(
      { error: (err as Error).message, path: (req.url ?? '').split('?')[0] },
      'opik receiver: a request failed unexpectedly',
    );
    req.resume();
    try {
      send(res, opikError(500, 'the collector failed to process the request'));
    } catch {
      res.destroy();
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { apiPath, query } = parseUrl(req.url ?? '/');
    const route = routeOf(req.method ?? 'GET', apiPath);
    if (route.kind === 'ping') return send(res, PING);
    const refused = this.checkKey(header(req, 'authorization'));
    if (refused) {
      req.resume();
      this.rejected(labelOf(route), refused);
      return send(res, refused);
    }
    switch (route.kind) {
      case 'auth':
        req.resume();
        return send(res, { status: 204 });
      case 'workspace':
        return send(res, { status: 200, body: { workspace_name: this.config.relay.workspace } });
      case 'write':
        return send(res, await this.write(req, route));
      case 'other':
        if (!this.relay) {
          req.resume();
          const reply = route.knownPath ? METHOD_NOT_ALLOWED : NOT_FOUND;
          this.rejected('other', reply);
          return send(res, reply);
        }
        this.metrics.relayed(await this.relay.forward(req, res, apiPath, query));
    }
  }

  private async write(
    req: IncomingMessage,
    route: Extract<Route, { kind: 'write' }>,
  ): Promise<OpikReply> {
    const label = writeRoute(route.entity, route.write);
    const reject = (reply: OpikReply) => {
      req.resume();
      this.rejected(label, reply);
      return reply;
    };
    if (mimeType(req.headers['content-type']) !== 'application/json')
      return reject(UNSUPPORTED_MEDIA_TYPE);
    if (!this.accepting) {
      req.resume();
      const closing = new CollectorError('ERR_SHUTTING_DOWN', 'the collector is shutting down');
      return this.refusedReply(closing, label, 0);
    }
    // Before the body is read: a request the memory limit has no room for is not read at all.
    let reservation: Reservation;
    try {
      reservation = reserveForBody(req, this.config.max_request_body_size);
    } catch (err) {
      req.resume();
      return this.refusedReply(err, label, 0);
    }
    try {
      return await this.take(req, route, label, reservation);
    } finally {
      reservation.release();
    }
  }

  /** Hands the spans of an admitted write on, and answers as Opik does. */
  private async take(
    req: IncomingMessage,
    route: Extract<Route, { kind: 'write' }>,
    label: ReturnType<typeof writeRoute>,
    reservation: Reservation,
  ): Promise<OpikReply> {
    const received = await this.receive(req, route, label, reservation);
    if ('status' in received) return received;
    const { traces, count, firstId } = received;
    try {
      await this.consume(traces);
    } catch (err) {
      return this.refusedReply(err, label, count);
    }
    this.report.accepted(count);
    this.metrics.accepted(label, count);
    if (route.write !== 'create') return { status: 204 };
    const kind = route.entity === 'trace' ? 'traces' : 'spans';
    return {
      status: 201,
      headers: { location: `${origin(req)}/v1/private/${kind}/${firstId}` },
    };
  }

  /**
   * Reads, parses and checks the body and makes its spans; a refusal comes back as the reply,
   * already counted. A function of its own so that the body and its parsed items are garbage once
   * the spans exist, not kept until the pipeline answers.
   */
  private async receive(
    req: IncomingMessage,
    route: Extract<Route, { kind: 'write' }>,
    label: ReturnType<typeof writeRoute>,
    reservation: Reservation,
  ): Promise<{ traces: Traces; count: number; firstId: string } | OpikReply> {
    const reject = (reply: OpikReply) => {
      req.resume();
      this.rejected(label, reply);
      return reply;
    };
    // In slices: a 64 MiB body is parsed and converted while the event loop keeps running.
    const pacer = new Pacer();
    let body: Awaited<ReturnType<typeof this.readJson>>;
    try {
      body = await this.readJson(req, reservation, pacer);
    } catch (err) {
      return this.refusedReply(err, label, 0);
    }
    if ('status' in body) return reject(body);
    const newId = () => newUuidV7(this.now());
    const read =
      route.write === 'batch'
        ? await paced(readBatchSteps(body.json, route.entity, newId), pacer)
        : readSingle(
            body.json,
            { entity: route.entity, update: route.write === 'update' },
            route.write === 'update' ? route.id.toLowerCase() : undefined,
            newId,
          );
    if ('status' in read) return reject(read);
    const items: ReceivedItem[] = Array.isArray(read) ? read : [read];
    const receivedAt = BigInt(this.now()) * 1_000_000n;
    const spans = [];
    for (const it of items) spans.push(await paced(toSpanSteps(it, receivedAt), pacer));
    const traces = makeTraces(spans, sdkResource(req), { name: 'opik' });
    return { traces, count: items.length, firstId: items[0]!.id };
  }

  /** Reads and parses the body; Opik's 413 / 400 when it cannot (429 when there is no memory). */
  private async readJson(
    req: IncomingMessage,
    reservation: Reservation,
    pacer: Pacer,
  ): Promise<{ json: LosslessJson } | OpikReply> {
    let raw: Buffer;
    try {
      raw = await readBody(req, this.config.max_request_body_size, reservation);
    } catch (err) {
      if (err instanceof CollectorError && err.code === 'ERR_BODY_TOO_LARGE') {
        return opikError(
          413,
          `Request body exceeds the maximum allowed size of ${this.config.max_request_body_size} bytes`,
        );
      }
      if (err instanceof CollectorError && err.code === 'ERR_UNSUPPORTED_ENCODING')
        return UNSUPPORTED_MEDIA_TYPE;
      if (err instanceof RetryableError) throw err; // no memory for the rest of it
      return opikError(400, `Unable to process JSON. ${(err as Error).message}`);
    }
    try {
      return { json: await paced(parseLosslessSteps(raw.toString('utf8')), pacer) };
    } catch (err) {
      if (err instanceof JsonSyntaxError)
        return opikError(400, `Unable to process JSON. ${err.message}`);
      throw err;
    }
  }

  /**
   * Hands the spans on. Past `ack_timeout` the client is told to re-send, no sooner than
   * `ack_timeout` later (Opik upserts by id, so a copy that still arrives does no harm).
   */
  private async consume(traces: ReturnType<typeof makeTraces>): Promise<void> {
    const done = this.next.consume(traces);
    let timer: NodeJS.Timeout | undefined;
    const waited = this.config.ack_timeout;
    const late = new Promise<true>((resolve) => {
      if (waited > 0) timer = setTimeout(() => resolve(true), waited);
    });
    // Still observed when it settles after the timeout, so a late failure is not unhandled.
    done.catch(() => undefined);
    try {
      const timedOut = await Promise.race([done.then(() => false), late]);
      if (timedOut) {
        throw new RetryableError(
          'ERR_PIPELINE_REFUSED',
          `the pipeline did not take the data within ack_timeout (${waited} ms)`,
          { throttled: true, retryAfterMs: waited },
        );
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The pipeline said no. A retryable refusal is a 429 with `RateLimit-Reset`: the only answer the
   * Python SDK re-queues without limit (any other non-2xx drops the batch); `Retry-After` serves
   * the TypeScript SDK. A permanent failure is a 500.
   */
  private refusedReply(
    err: unknown,
    route: ReturnType<typeof writeRoute>,
    items: number,
  ): OpikReply {
    const reply = replyFor(err);
    if (items > 0) {
      this.report.refused(items);
      this.metrics.refused(route, items);
    } else
      this.report.badRequest(err instanceof CollectorError ? err.code : 'ERR_PIPELINE_REFUSED');
    this.settings.logger.debug(
      { route, items, reason: reply.message },
      'opik receiver: the pipeline refused a write',
    );
    if (reply.retryAfterSeconds === undefined) return opikError(500, reply.message);
    const seconds = String(reply.retryAfterSeconds);
    return {
      ...opikError(429, `Too Many Requests: ${reply.message}`),
      headers: { 'ratelimit-reset': seconds, 'retry-after': seconds },
    };
  }

  /** A request answered with one of Opik's client errors, counted as the other receivers count theirs. */
  /**
   * A request answered with one of Opik's client errors, counted as the other receivers count
   * theirs, and logged (once a minute per route and status): the SDK drops what is refused.
   */
  private rejected(route: WriteRoute | 'other', reply: OpikReply): void {
    this.metrics.rejected(route, reply.status);
    this.report.badRequest(CODE_OF_STATUS[reply.status] ?? 'ERR_BAD_REQUEST');
    const key = `${route} ${reply.status}`;
    const now = this.now();
    if ((this.lastLogged.get(key) ?? -Infinity) > now - 60_000) return;
    this.lastLogged.set(key, now);
    this.settings.logger.warn(
      { route, status: reply.status, answer: reply.body },
      'opik receiver refused a request as Opik would (the client drops it)',
    );
  }
}

const CODE_OF_STATUS: Record<number, ErrorCode> = {
  401: 'ERR_UNAUTHENTICATED',
  404: 'ERR_NOT_FOUND',
  405: 'ERR_METHOD_NOT_ALLOWED',
  413: 'ERR_BODY_TOO_LARGE',
  415: 'ERR_UNSUPPORTED_MEDIA_TYPE',
};

function labelOf(route: Route): WriteRoute | 'other' {
  return route.kind === 'write' ? writeRoute(route.entity, route.write) : 'other';
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The caller's SDK as resource attributes (the Python SDK names its version; both name their language). */
function sdkResource(req: IncomingMessage): KeyValue[] {
  const attrs: KeyValue[] = [{ key: 'telemetry.sdk.name', value: 'opik' }];
  const language = header(req, 'x-fern-language');
  if (language) attrs.push({ key: 'telemetry.sdk.language', value: language.toLowerCase() });
  const version = header(req, 'x-opik-debug-sdk-version');
  if (version) attrs.push({ key: 'telemetry.sdk.version', value: version });
  return attrs;
}

/** `http://host[:port]/<prefix>/api`, as the caller addressed the receiver, for `Location`. */
function origin(req: IncomingMessage): string {
  const path = (req.url ?? '').split('?')[0]!;
  const base = path.slice(0, path.indexOf('/v1/private/'));
  return `http://${header(req, 'host') ?? 'localhost'}${base}`;
}
