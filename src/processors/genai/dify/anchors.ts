import { FrontCursor } from '../../../storage/front-cursor.js';

/**
 * What the spans of a run or message need from the span that names it: the run's or message's
 * start (Dify's Opik ids carry it), a chatflow run's message, the caller's trace id, the
 * conversation. Remembered for spans that arrive after it: message-scoped spans (moderation,
 * suggested questions, retrieval, tools) come in traces of their own, minutes later.
 */
export interface RunAnchor {
  readonly runId: string;
  readonly start: string;
  readonly messageId?: string;
  /** A chatflow's run whose message id the provider does not send (Aliyun). */
  readonly unnamedChatflow?: boolean;
  readonly traceId?: string;
  readonly appId?: string;
  readonly tenantId?: string;
  readonly workflowId?: string;
}

export interface MessageAnchor {
  readonly messageId: string;
  /** The message's `created_at`: its trace's start. */
  readonly created: string;
  /** A chatflow message's run: its spans belong to the run's trace. */
  readonly runId?: string;
  readonly conversationId?: string;
  readonly appId?: string;
}

export interface CachedAnchor {
  readonly value: RunAnchor | MessageAnchor;
  readonly expires: number;
}

/**
 * Runs and messages by id, least recently used forgotten first, each for `ttlMs`. `changed` is
 * told the key of every entry put or forgotten (for a store that keeps the cache over restarts).
 */
export class AnchorCache {
  private readonly entries = new Map<string, CachedAnchor>();
  /** The least recently used first (`storage/front-cursor.ts`). */
  private readonly front = new FrontCursor(() => this.entries.keys());

  constructor(
    private readonly size: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly changed?: (key: string) => void,
  ) {}

  putRun(a: RunAnchor): void {
    this.put(`run:${a.runId}`, a);
  }

  putMessage(a: MessageAnchor): void {
    this.put(`message:${a.messageId}`, a);
  }

  run(runId: string): RunAnchor | undefined {
    return this.get(`run:${runId}`) as RunAnchor | undefined;
  }

  message(messageId: string): MessageAnchor | undefined {
    return this.get(`message:${messageId}`) as MessageAnchor | undefined;
  }

  get count(): number {
    return this.entries.size;
  }

  /** An entry as it is, without counting as a use (undefined once forgotten). */
  entry(key: string): CachedAnchor | undefined {
    return this.entries.get(key);
  }

  /** Puts back an entry kept over a restart (least recently used first). */
  restore(key: string, entry: CachedAnchor): void {
    if (entry.expires <= this.now()) return;
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.evict();
  }

  private put(key: string, value: RunAnchor | MessageAnchor): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + this.ttlMs });
    this.changed?.(key);
    this.evict();
  }

  private evict(): void {
    if (this.entries.size <= this.size) return;
    const oldest = this.front.next()!;
    this.entries.delete(oldest);
    this.changed?.(oldest);
  }

  private get(key: string): RunAnchor | MessageAnchor | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }
}
