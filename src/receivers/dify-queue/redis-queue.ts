import { createClient } from '@redis/client';
import { redactUrlCredentials } from '../../config/secret.js';
import { Outage, reasonOf } from './outage.js';

/** The three lists: Dify's queue, and the receiver's processing and dead-letter lists. */
export interface QueueLists {
  readonly queue: string;
  readonly processing: string;
  readonly deadLetter: string;
}

/** What is set aside with a message: why, and where its envelope file stays for inspection. */
export interface SetAsideRecord {
  readonly reason: string;
  readonly detail: string;
  readonly receiver: string;
  readonly file?: string;
}

type Client = ReturnType<typeof createClient>;

/**
 * Dify's `ops_trace` queue in Redis, taken at least once. kombu's Redis transport LPUSHes each
 * message and its consumers BRPOP from the other end; here a message is moved atomically from
 * that end to the processing list (BLMOVE, Redis 6.2+), and removed from there only once it is
 * finished, or set aside into the dead-letter list. What a crash leaves in the processing list
 * is taken again on the next start.
 *
 * Two connections: BLMOVE blocks the one it runs on. Commands fail at once while Redis is away
 * (no offline queue), as an `Outage`; the clients reconnect on their own in the background.
 */
export class TraceQueue {
  private readonly cmd: Client;
  private readonly blocking: Client;
  private closed = false;

  constructor(
    readonly url: string,
    readonly lists: QueueLists,
    onConnectionError: (err: Error) => void,
    /** False for a one-shot check (doctor): `connect` rejects on the first failure. */
    reconnect = true,
  ) {
    this.cmd = createClient({
      url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 5_000,
        reconnectStrategy: reconnect ? (retries) => Math.min(100 * 2 ** retries, 2_000) : false,
      },
    });
    this.blocking = this.cmd.duplicate();
    this.cmd.on('error', onConnectionError);
    this.blocking.on('error', onConnectionError);
  }

  /** Where Redis is, without the password (for logs and doctor). */
  get address(): string {
    return redactUrlCredentials(this.url);
  }

  /** Resolves once both connections are up (retrying meanwhile); rejects after `close`. */
  async connect(): Promise<void> {
    await Promise.all([this.cmd.connect(), this.blocking.connect()]);
  }

  /** Waits up to `timeoutSeconds` for a message and moves it to the processing list. */
  take(timeoutSeconds: number): Promise<string | null> {
    const { queue, processing } = this.lists;
    return this.run(
      () => this.blocking.blMove(queue, processing, 'RIGHT', 'LEFT', timeoutSeconds),
      'take a message',
    );
  }

  /** What the processing list holds (a crash's leftovers, at start), oldest first. */
  async pending(): Promise<string[]> {
    const items = await this.run(() => this.cmd.lRange(this.lists.processing, 0, -1), 'read');
    return items.reverse();
  }

  /** The message is done: it leaves the processing list. */
  async finish(raw: string): Promise<void> {
    await this.run(() => this.cmd.lRem(this.lists.processing, 1, raw), 'finish a message');
  }

  /** The message goes to the dead-letter list, with why, in one transaction. */
  async setAside(raw: string, record: SetAsideRecord): Promise<void> {
    const entry = JSON.stringify({ ...record, time: new Date().toISOString(), message: raw });
    await this.run(
      () =>
        this.cmd
          .multi()
          .lPush(this.lists.deadLetter, entry)
          .lRem(this.lists.processing, 1, raw)
          .exec(),
      'set a message aside',
    );
  }

  /** The length of each list, and the server's version (for doctor). */
  async inspect(): Promise<{
    queue: number;
    processing: number;
    deadLetter: number;
    version: string;
  }> {
    return this.run(async () => {
      const [queue, processing, deadLetter, info] = await Promise.all([
        this.cmd.lLen(this.lists.queue),
        this.cmd.lLen(this.lists.processing),
        this.cmd.lLen(this.lists.deadLetter),
        this.cmd.info('server'),
      ]);
      const version = /redis_version:([^\r\n]+)/.exec(String(info))?.[1] ?? 'unknown';
      return { queue, processing, deadLetter, version };
    }, 'inspect the queue');
  }

  /** Ends a waiting `take` at once (shutdown); the other connection stays for finishing. */
  interrupt(): void {
    if (this.blocking.isOpen) this.blocking.destroy();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of [this.blocking, this.cmd]) if (c.isOpen) c.destroy();
  }

  private async run<T>(op: () => Promise<T>, what: string): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw new Outage('redis', `could not ${what} in Redis at ${this.address}: ${reasonOf(err)}`, {
        cause: err,
      });
    }
  }
}
