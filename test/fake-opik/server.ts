import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { JsonValue } from './attribute-mapper.js';
import { type AuthMode, authenticate } from './auth.js';
import { knownPath, type Route, readAll, routeOf, send } from './http.js';
import { decodeJson, decodeProtobuf } from './otlp-decode.js';
import { ingestOtlp, internalError, TtlMemory } from './otlp-ingest.js';
import { checkBatch, jsonError, type Reply, toRow } from './rest-batch.js';
import { ruleList } from './rules.js';
import { createOne, putScores, updateOne, type WriteContext } from './sdk-writes.js';
import { FakeStore, type Row } from './store.js';
import { newV7 } from './v7.js';
import { type Behaviour, behaviourOf, OPIK_2_2 } from './version.js';

/** How the fake misbehaves on a request: an HTTP answer, no answer at all, or a dropped connection. */
export type Failure =
  | { readonly status: number; readonly body?: unknown; readonly headers?: Record<string, string> }
  | 'hang'
  | 'reset';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly route: Route | 'unknown';
  readonly headers: IncomingMessage['headers'];
  /** The body after gunzip. */
  readonly body: Buffer;
  status?: number;
}

export interface FakeOpikOptions {
  /**
   * The Opik version played (`version.ts`): `2.1.23`, or 2.2 behaviour from `2.2.0` on; answered
   * at `GET /is-alive/ver`. Default: the newest release, 2.2.122.
   */
  readonly version?: string;
  /** 2.2's `maxRequestSizeBytes` (default 512 MiB, self-hosted). */
  readonly maxRequestSizeBytes?: number;
  readonly auth?: AuthMode;
  /** false models an Opik before 2.1: `opik.trace_id`/`opik.span_id`/`opik.parent_span_id` mean nothing. */
  readonly idOverrides?: boolean;
  /** Opik Cloud's ±window on UUIDv7 timestamps (`UUID_VALIDATION_WINDOW`); undefined = OSS, off. */
  readonly uuidWindowMs?: number;
  /** `OTEL_TTL_INTERVAL`, default 3 h. */
  readonly otelTtlMs?: number;
  readonly now?: () => number;
}

/**
 * A fake Opik backend on a real HTTP port: the OTLP endpoint, the trace/span batch APIs and the
 * reads a client needs, as strict as reference/opik-api-contracts.md (status codes, error
 * bodies, the 409 on a re-sent root span, upserts, auth modes), with failures on demand.
 * Routes answer with and without the `/api` prefix of the frontend proxy.
 */
export class FakeOpik {
  readonly store = new FakeStore();
  readonly requests: RecordedRequest[] = [];
  /** Feedback scores written (`PUT …/feedback-scores`), with `kind` `traces` or `spans`. */
  readonly scores: Array<Record<string, JsonValue>> = [];
  /** Ids of rows a PATCH created before their create (Opik's partial rows). */
  private readonly partial = new Set<string>();
  /** When true the OTLP route answers 404, as an Opik without OTLP ingestion would. */
  otlpMissing = false;
  /** When true every request gets 503, as an Opik that is down behind its proxy. */
  down = false;
  /** Milliseconds every answer waits, for a slow Opik. */
  latencyMs = 0;
  /** The version `GET /is-alive/ver` answers; the behaviour follows `options.version`. */
  reportedVersion: string;
  readonly behaviour: Behaviour;
  private readonly failures: Array<{ route: Route | 'any'; failure: Failure; left: number }> = [];
  private readonly memory: TtlMemory;
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  url = '';

  constructor(readonly options: FakeOpikOptions = {}) {
    this.memory = new TtlMemory(options.otelTtlMs ?? 3 * 3_600_000, () => this.now());
    this.behaviour = behaviourOf(options.version ?? OPIK_2_2);
    this.reportedVersion = this.behaviour.version;
  }

  now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Makes the next `times` requests to `route` fail with `failure`. */
  fail(route: Route | 'any', failure: Failure, times = 1): void {
    this.failures.push({ route, failure, left: times });
  }

  /** Forgets the OTel trace-id memory, as a Redis restart would. */
  forgetTraceIds(): void {
    this.memory.clear();
  }

  traces(project = 'Default Project'): Row[] {
    return this.store.rows('traces', project);
  }

  spans(project = 'Default Project'): Row[] {
    return this.store.rows('spans', project);
  }

  requestsTo(route: Route): RecordedRequest[] {
    return this.requests.filter((r) => r.route === route);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => send(res, internalError(String(err))));
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname.replace(/^\/api(?=\/)/, '');
    const route = routeOf(req.method ?? 'GET', path);
    const raw = await readAll(req);
    let body = raw;
    if (/gzip/i.test(String(req.headers['content-encoding'] ?? ''))) body = gunzipSync(raw);
    const record: RecordedRequest = {
      method: req.method ?? '',
      path,
      route: route ?? 'unknown',
      headers: req.headers,
      body,
    };
    this.requests.push(record);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    if (this.down) {
      record.status = 503;
      send(res, { status: 503, body: { code: 503, message: 'Service Unavailable' } });
      return;
    }
    const failure = route ? this.takeFailure(route) : undefined;
    if (failure === 'hang') return;
    if (failure === 'reset') {
      req.socket.destroy();
      return;
    }
    const reply = failure ?? this.answer(route, req, path, url.searchParams, body);
    record.status = reply.status;
    send(res, reply);
  }

  private takeFailure(route: Route): Failure | undefined {
    const i = this.failures.findIndex((f) => f.route === route || f.route === 'any');
    if (i < 0) return undefined;
    const f = this.failures[i]!;
    if (--f.left <= 0) this.failures.splice(i, 1);
    return f.failure;
  }

  private answer(
    route: Route | undefined,
    req: IncomingMessage,
    path: string,
    query: URLSearchParams,
    body: Buffer,
  ): Reply {
    if (route === 'otlp' && this.otlpMissing) return jsonError(404, 'HTTP 404 Not Found');
    if (!route) {
      return knownPath(path)
        ? jsonError(405, 'HTTP 405 Method Not Allowed')
        : jsonError(404, 'HTTP 404 Not Found');
    }
    // `IsAliveResource` is outside /v1/private: no auth.
    if (route === 'ping')
      return { status: 200, body: { message: 'Healthy Server', healthy: true } };
    if (route === 'version') return { status: 200, body: { version: this.reportedVersion } };
    const tooLarge = this.sizeGuard(req);
    if (tooLarge) return tooLarge;
    const who = authenticate(this.options.auth ?? { mode: 'oss' }, req.headers, query);
    if ('status' in who) return who;
    const projectHeader = String(req.headers.projectname ?? '').trim();
    const parsed = () => {
      try {
        return { json: JSON.parse(body.toString('utf8')) as unknown };
      } catch (err) {
        return jsonError(400, `Unable to process JSON. ${(err as Error).message}`);
      }
    };
    const writes = (): WriteContext => ({
      store: this.store,
      workspace: who.workspace,
      nowMs: this.now(),
      windowMs: this.options.uuidWindowMs,
      referencedIdsV7: this.behaviour.referencedIdsV7,
      partial: this.partial,
      newId: () => newV7(this.now()),
    });
    const json =
      route === 'auth' || route === 'workspace' || route === 'otlp' ? undefined : parsed();
    if (json && 'status' in json && route !== 'read' && route !== 'delete') return json;
    const value = json && 'json' in json ? json.json : undefined;
    switch (route) {
      case 'auth':
        return { status: 204 };
      case 'workspace':
        return { status: 200, body: { workspace_name: who.workspace } };
      case 'trace':
      case 'span':
        return createOne(
          route === 'trace' ? 'traces' : 'spans',
          value,
          `${this.url}/api`,
          writes(),
        );
      case 'trace_update':
      case 'span_update':
        return updateOne(
          route === 'trace_update' ? 'traces' : 'spans',
          path.split('/')[4] ?? '',
          value,
          writes(),
        );
      case 'trace_scores':
      case 'span_scores':
        return putScores(route === 'trace_scores' ? 'traces' : 'spans', value, this.scores);
      case 'otlp':
        return this.otlp(req, body, who, projectHeader || 'Default Project');
      case 'traces':
      case 'spans':
        return this.batch(route, req, body, who.workspace);
      case 'read':
        return this.read(path, who.workspace);
      case 'delete':
        return this.deleteTraces(body, who.workspace);
    }
  }

  /**
   * 2.2 (PR #7483, `RequestSizeLimitFilter`): every route, on `Content-Length` as sent. (An
   * invalid `Content-Length`, Opik's other 400, never gets here: Node's parser answers it 400.)
   */
  private sizeGuard(req: IncomingMessage): Reply | undefined {
    const length = req.headers['content-length'];
    if (!this.behaviour.sizeGuard || length === undefined) return undefined;
    const max = this.options.maxRequestSizeBytes ?? 512 * 1024 * 1024;
    if (Number(length) <= max) return undefined;
    return jsonError(413, `Request body exceeds the maximum allowed size of ${max} bytes`);
  }

  private otlp(
    req: IncomingMessage,
    body: Buffer,
    who: { workspace: string; workspaceId: string },
    projectName: string,
  ): Reply {
    const type = String(req.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    if (type !== 'application/x-protobuf' && type !== 'application/json') {
      return jsonError(415, 'HTTP 415 Unsupported Media Type');
    }
    const project = this.store.project(who.workspace, projectName);
    let spans: ReturnType<typeof decodeProtobuf>;
    try {
      spans =
        type === 'application/json' ? decodeJson(body.toString('utf8')) : decodeProtobuf(body);
    } catch (err) {
      return internalError(`IOException: ${(err as Error).message}`);
    }
    const overrides = this.options.idOverrides ?? true;
    return ingestOtlp(spans, {
      store: this.store,
      workspace: who.workspace,
      workspaceId: who.workspaceId,
      project,
      rules: ruleList({ idOverrides: overrides, ...this.behaviour }),
      idOverrides: overrides,
      memory: this.memory,
      nowMs: this.now(),
      windowMs: this.options.uuidWindowMs,
      behaviour: this.behaviour,
    });
  }

  private batch(
    kind: 'traces' | 'spans',
    req: IncomingMessage,
    body: Buffer,
    workspace: string,
  ): Reply {
    if (!/^application\/json/i.test(String(req.headers['content-type'] ?? ''))) {
      return jsonError(415, 'HTTP 415 Unsupported Media Type');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (err) {
      return jsonError(400, `Unable to process JSON. ${(err as Error).message}`);
    }
    const items = checkBatch(parsed, {
      kind,
      windowMs: this.options.uuidWindowMs,
      nowMs: this.now(),
      referencedIdsV7: kind === 'spans' && this.behaviour.referencedIdsV7,
    });
    if (!Array.isArray(items)) return items;
    const now = new Date(this.now()).toISOString();
    // Within one batch, items carrying both id and last_updated_at collapse to the newest.
    for (const item of items) {
      const project = this.store.project(
        workspace,
        typeof item.project_name === 'string' ? item.project_name : 'Default Project',
      );
      const row = toRow(
        { ...item, id: typeof item.id === 'string' ? item.id : newV7(this.now()) },
        project,
        typeof item.last_updated_at === 'string'
          ? new Date(Date.parse(item.last_updated_at)).toISOString()
          : now,
      );
      if (kind === 'spans') row.type ??= 'general';
      this.store.upsert(kind, workspace, row);
    }
    return { status: 204 };
  }

  private read(path: string, workspace: string): Reply {
    const [, , , table, id] = path.split('/');
    const kind = table === 'traces' ? 'traces' : 'spans';
    const row = this.store.get(kind, workspace, id ?? '');
    if (!row) return jsonError(404, `${kind === 'traces' ? 'Trace' : 'Span'} not found`);
    return { status: 200, body: row };
  }

  private deleteTraces(body: Buffer, workspace: string): Reply {
    let ids: unknown;
    try {
      ids = (JSON.parse(body.toString('utf8')) as { ids?: unknown }).ids;
    } catch (err) {
      return jsonError(400, `Unable to process JSON. ${(err as Error).message}`);
    }
    if (!Array.isArray(ids) || ids.length === 0)
      return { status: 422, body: { errors: ['ids size must be between 1 and 1000'] } };
    const list = ids.map(String);
    this.store.delete('traces', workspace, list);
    const spanIds = this.store
      .rows('spans')
      .filter((s) => list.includes(String(s.trace_id)))
      .map((s) => s.id);
    this.store.delete('spans', workspace, spanIds);
    return { status: 204 };
  }
}

/** Starts a fake Opik on 127.0.0.1, port 0. */
export function startFakeOpik(options: FakeOpikOptions = {}): Promise<FakeOpik> {
  return new FakeOpik(options).start();
}

export type { Route };
