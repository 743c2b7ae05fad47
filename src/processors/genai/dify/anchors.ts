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

/** Runs and messages by id, least recently used forgotten first, each for `ttlMs`. */
export class AnchorCache {
  private readonly entries = new Map<
    string,
    { value: RunAnchor | MessageAnchor; expires: number }
  >();

  constructor(
    private readonly size: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
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

  private put(key: string, value: RunAnchor | MessageAnchor): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + this.ttlMs });
    if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value!);
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
