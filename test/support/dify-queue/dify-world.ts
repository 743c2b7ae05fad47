import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@redis/client';
import pg from 'pg';
import { FIXTURES_DIR, fixture, fixtureText } from '../../../src/receivers/dify/test-fixtures.js';
import { listsOf } from '../../../src/receivers/dify-queue/config.js';
import { PostgresServer } from '../postgres-server.js';
import { RedisServer } from '../redis-server.js';
import {
  createDifyTables,
  insertNodeRows,
  offloadColumn,
  type SavedEnvelope,
  saveEnvelope,
  taskMessage,
} from './dify-side.js';

type Redis = ReturnType<typeof createClient>;

/** Dify's docker passwords (`REDIS_PASSWORD`, `DB_PASSWORD` in docker/.env.example). */
const PASSWORD = 'difyai123456';

/** Dify's Celery broker database (`CELERY_BROKER_URL=redis://:…@redis:6379/1`). */
const BROKER_DB = 1;

/**
 * The limit that makes a fixture's payload large enough for Dify to offload it: a deployment
 * with `WORKFLOW_VARIABLE_TRUNCATION_MAX_SIZE=600` (the string limit is Dify's class default).
 */
const TRUNCATION = { maxSizeBytes: 600, stringLengthLimit: 5000 };

/** The node payload offloaded to storage: the workflow app's start node inputs (785 bytes). */
const OFFLOADED = { fixture: 'workflow_app.json', nodeType: 'start', column: 'inputs' } as const;

/**
 * The Dify side of the `dify_queue` tests, with real services: a password-protected
 * `redis-server` (the broker), PostgreSQL with Dify's tables, and a storage root. `publish`
 * writes what Dify writes for one fixture.
 */
export class DifyWorld {
  readonly lists = listsOf({ url: '', queue: 'ops_trace' });
  private readonly runsInserted = new Set<string>();

  private constructor(
    readonly redis: RedisServer,
    readonly postgres: PostgresServer,
    readonly root: string,
  ) {}

  static async start(): Promise<DifyWorld> {
    const [redis, postgres] = await Promise.all([
      RedisServer.start({ password: PASSWORD, persistent: true }),
      PostgresServer.start({ password: PASSWORD, database: 'dify' }),
    ]);
    await createDifyTables((text) => postgres.sql(text));
    return new DifyWorld(redis, postgres, mkdtempSync(join(tmpdir(), 'dify-storage-')));
  }

  /** `CELERY_BROKER_URL` of this Dify. */
  get brokerUrl(): string {
    return this.redis.url(BROKER_DB);
  }

  /** The receiver's config block for this Dify (YAML, indented for `receivers:`). */
  receiverYaml(id = 'dify_queue', extra = ''): string {
    return `  ${id}:
    redis: { url: "${this.brokerUrl}", queue: ops_trace }
    storage: { type: opendal, scheme: fs, root: "${this.root}" }
    database: { url: "${this.postgres.url()}" }
    backoff: { initial_interval: 50ms, max_interval: 200ms }
${extra}`;
  }

  /**
   * What Dify writes when it traces one fixture's event: the envelope file, the run's node rows
   * (once per run), then the `ops_trace` message.
   */
  async publish(name: string): Promise<SavedEnvelope> {
    const saved = saveEnvelope(this.root, fixtureText(name));
    await this.insertRows(name);
    await this.push(taskMessage(saved));
    return saved;
  }

  /** LPUSHes a raw message onto `ops_trace`, as kombu does. */
  async push(raw: string): Promise<void> {
    await this.withRedis((c) => c.lPush(this.lists.queue, raw));
  }

  async lengths(): Promise<{ queue: number; processing: number; deadLetter: number }> {
    return this.withRedis(async (c) => ({
      queue: await c.lLen(this.lists.queue),
      processing: await c.lLen(this.lists.processing),
      deadLetter: await c.lLen(this.lists.deadLetter),
    }));
  }

  /** The dead-letter entries, newest first. */
  async deadLetters(): Promise<Array<Record<string, unknown>>> {
    const items = await this.withRedis((c) => c.lRange(this.lists.deadLetter, 0, -1));
    return items.map((i) => JSON.parse(i) as Record<string, unknown>);
  }

  /** Envelope files still in storage. */
  envelopeFiles(): string[] {
    const dir = join(this.root, 'ops_trace');
    if (!existsSync(dir)) return [];
    return readdirSync(dir).flatMap((app) =>
      readdirSync(join(dir, app)).map((file) => `ops_trace/${app}/${file}`),
    );
  }

  async destroy(): Promise<void> {
    await Promise.all([this.redis.destroy(), this.postgres.destroy()]);
    rmSync(this.root, { recursive: true, force: true });
  }

  async withRedis<T>(op: (client: Redis) => Promise<T>): Promise<T> {
    const client: Redis = createClient({ url: this.brokerUrl });
    client.on('error', () => {});
    await client.connect();
    try {
      return await op(client);
    } finally {
      client.destroy();
    }
  }

  private async insertRows(name: string): Promise<void> {
    const rowsFile = name.replace('.json', '.node_executions.json');
    if (!existsSync(new URL(rowsFile, FIXTURES_DIR)) || this.runsInserted.has(name)) return;
    this.runsInserted.add(name);
    const client = new pg.Client({ connectionString: this.postgres.url() });
    await client.connect();
    try {
      const rows = fixture(rowsFile).rows as Array<Record<string, unknown>>;
      const stored = [];
      for (const row of rows) {
        const offload = name === OFFLOADED.fixture && row.node_type === OFFLOADED.nodeType;
        stored.push(
          offload
            ? (await offloadColumn(client, this.root, row, OFFLOADED.column, TRUNCATION)).row
            : row,
        );
      }
      await insertNodeRows(client, stored);
    } finally {
      await client.end();
    }
  }
}
