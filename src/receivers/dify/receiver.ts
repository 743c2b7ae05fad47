import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ServerAuthenticator, serverAuthenticator } from '../../component/auth.js';
import type { Component, Host, Settings, TracesConsumer } from '../../component/types.js';
import { CollectorError } from '../../errors/errors.js';
import { type DecodeLimits, Truncations } from '../../otlp/limits.js';
import type { Reservation } from '../../pipeline/memory-budget.js';
import { paced } from '../../pipeline/pacer.js';
import { decodeLimits } from '../../receiverhelper/limits.js';
import { type ReceiverReport, receiverReport } from '../../receiverhelper/obsreport.js';
import { readBody, reserveForBody } from '../../server/body.js';
import { type HttpListener, listenHttp } from '../../server/listen.js';
import { listenOptions } from '../../server/server-settings.js';
import { replyFor } from '../../server/status.js';
import { type ConvertedBatch, convertBatchSteps } from './batch.js';
import type { DifyReceiverConfig } from './config.js';
import { decodeItemsSteps, type Framing, framingOf } from './decode.js';
import { type SkippedCounter, skippedEnvelopes } from './metrics.js';

export const DIFY_TRACES_PATH = '/v1/dify/traces';

interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers?: Record<string, string>;
}

/**
 * The `dify` receiver: `POST /v1/dify/traces` with Dify envelopes (one, a JSON array, or NDJSON,
 * optionally gzip). Answers only once the pipeline has accepted the spans; status codes and the
 * response body are described in README.md ("Responses").
 */
export class DifyReceiver implements Component {
  private listener?: HttpListener;
  private accepting = false;
  private stopped?: Promise<void>;
  private auth?: ServerAuthenticator;
  private readonly limits: DecodeLimits;
  private readonly report: ReceiverReport;
  private readonly skipped: SkippedCounter;

  constructor(
    private readonly settings: Settings,
    private readonly config: DifyReceiverConfig,
    private readonly next: TracesConsumer,
  ) {
    this.report = receiverReport(settings, 'http');
    this.skipped = skippedEnvelopes(settings.telemetry);
    this.limits = decodeLimits(config.limits);
  }

  /** The bound `host:port` once started (the real port when the config said 0). */
  get address(): string | undefined {
    return this.listener?.address;
  }

  async start(host: Host): Promise<void> {
    if (this.listener) return;
    this.auth = this.config.auth && serverAuthenticator(host, this.config.auth);
    this.accepting = true;
    this.listener = await listenHttp(
      this.config.endpoint,
      (req, res) => {
        // A reply that cannot be written (the client went away) must not become an unhandled rejection.
        this.handle(req, res).catch(() => res.destroy());
      },
      listenOptions(this.config, this.settings.logger),
    );
    this.settings.logger.info(
      { endpoint: this.listener.address, tls: this.config.tls !== undefined },
      'dify receiver listening',
    );
  }

  shutdown(): Promise<void> {
    this.stopped ??= (async () => {
      this.accepting = false;
      await this.listener?.close();
    })();
    return this.stopped;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let reply: Reply;
    try {
      reply = await this.process(req);
    } catch (err) {
      req.resume(); // discard whatever of the body was not read, so the connection stays usable
      if (err instanceof CollectorError) this.report.badRequest(err.code);
      reply = errorReply(err);
    }
    const body = JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...reply.headers,
    });
    res.end(body);
  }

  /** Checks the request, converts its items, and hands the spans to the pipeline. */
  private async process(req: IncomingMessage): Promise<Reply> {
    const path = (req.url ?? '').split('?')[0];
    if (path !== DIFY_TRACES_PATH) {
      throw new CollectorError(
        'ERR_NOT_FOUND',
        `no such path ${path}; POST envelopes to ${DIFY_TRACES_PATH}`,
      );
    }
    if (req.method !== 'POST') {
      throw new CollectorError(
        'ERR_METHOD_NOT_ALLOWED',
        `method ${req.method} not allowed; use POST`,
      );
    }
    // Before anything of the body is read.
    this.auth?.authenticate(req.headers);
    const framing = framingOf(req.headers['content-type']);
    if (!this.accepting) {
      throw new CollectorError('ERR_SHUTTING_DOWN', 'the collector is shutting down');
    }
    // Before the body is read: a request the memory limit has no room for is not read at all.
    const reservation = reserveForBody(req, this.config.max_request_body_size);
    try {
      return await this.take(req, framing, reservation);
    } finally {
      reservation.release();
    }
  }

  /** Reads, converts and hands on the items of an admitted request. */
  private async take(
    req: IncomingMessage,
    framing: Framing,
    reservation: Reservation,
  ): Promise<Reply> {
    const cut = new Truncations();
    const batch = await this.convert(req, framing, reservation, cut);
    this.count(batch);
    if (batch.rejectedItems > 0 && batch.acceptedItems === 0 && batch.skippedItems === 0) {
      this.report.badRequest('ERR_BAD_REQUEST');
      return { status: 400, body: summary(batch, 'no item of the request could be converted') };
    }
    if (batch.spanCount > 0) {
      try {
        await this.next.consume(batch.traces);
      } catch (err) {
        this.report.refused(batch.spanCount);
        const { status, headers, body } = errorReply(err);
        return { status, headers, body: summary(batch, String(body.error), true) };
      }
      this.report.accepted(batch.spanCount);
      this.report.truncated(cut);
    }
    return { status: 200, body: summary(batch) };
  }

  /**
   * Reads and converts the body. A function of its own so that the body and its parsed items are
   * garbage once the spans exist, not kept until the pipeline answers.
   */
  private async convert(
    req: IncomingMessage,
    framing: Framing,
    reservation: Reservation,
    cut: Truncations,
  ): Promise<ConvertedBatch> {
    const body = await readBody(req, this.config.max_request_body_size, reservation);
    // In slices: a 20 MiB body is parsed and converted while the event loop keeps running. Each
    // item is converted as soon as it is parsed, so the parsed items of a request are not all
    // alive at once (what the garbage collector would copy while other requests take turns).
    const items = decodeItemsSteps(body, framing, this.limits.maxDepth, this.limits.maxSpans);
    return paced(convertBatchSteps(items, this.limits, cut));
  }

  /** Skipped and rejected items are counted here; accepted and refused spans after `consume`. */
  private count(batch: ConvertedBatch): void {
    for (const [label, n] of batch.skipped) {
      this.skipped.inc(
        { receiver: this.settings.id, transport: 'http', trace_info_type: label },
        n,
      );
    }
    // An item that cannot be read would have become at least one span: it counts as one.
    if (batch.rejectedItems > 0) this.report.failed(batch.rejectedItems);
  }
}

/** The reply `replyFor` chooses for an error, with the headers its status calls for. */
function errorReply(err: unknown): Reply & { body: { error: string } } {
  const r = replyFor(err);
  const headers: Record<string, string> = {};
  if (r.retryAfterSeconds !== undefined) headers['retry-after'] = String(r.retryAfterSeconds);
  if (r.httpStatus === 405) headers.allow = 'POST';
  if (r.httpStatus === 401) headers['www-authenticate'] = 'Bearer';
  return { status: r.httpStatus, headers, body: { error: r.message } };
}

/**
 * The response body: counts, then the rejected items (index and problem; the first
 * `MAX_LISTED_PROBLEMS`, with `errors_omitted` saying how many more), then any `error`.
 */
function summary(batch: ConvertedBatch, error?: string, refused = false): Record<string, unknown> {
  const omitted = batch.rejectedItems - batch.problems.length;
  return {
    accepted_items: refused ? 0 : batch.acceptedItems,
    accepted_spans: refused ? 0 : batch.spanCount,
    skipped_items: batch.skippedItems,
    rejected_items: batch.rejectedItems,
    errors: batch.problems,
    ...(omitted > 0 ? { errors_omitted: omitted } : {}),
    ...(error === undefined ? {} : { error }),
  };
}
