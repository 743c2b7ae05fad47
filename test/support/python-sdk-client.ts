import { sendAsSdk } from '../fixtures/dify-opik-provider/requests.js';
import type { WireRequest } from '../fixtures/dify-opik-provider/sdk.js';

/**
 * The Opik Python SDK's delivery rules (1.11.2; reference/opik-sdk-ingest.md §2, §7) around the
 * requests of test/fixtures/dify-opik-provider: nothing is sent while the ping fails; each request
 * gets up to 3 attempts on 429/5xx (waiting `Retry-After` when it says 0–60 s, else 5 s then 6 s);
 * then 2xx or 409 is delivered, a 429 with `RateLimit-Reset` re-queues the batch without limit, any
 * other answer drops it; a connection error marks it failed until a ping succeeds again.
 * `timeScale` shrinks every wait (tests run the SDK's seconds as milliseconds).
 */
export interface SdkDelivery {
  readonly delivered: WireRequest[];
  readonly dropped: Array<{ request: WireRequest; status: number }>;
  /** Every answer in order: status, and the `RateLimit-Reset` / `Retry-After` headers of a 429. */
  readonly answers: Array<{ status: number; rateLimitReset?: string; retryAfter?: string }>;
}

export async function deliverLikePythonSdk(
  origin: string,
  requests: readonly WireRequest[],
  options: { timeScale: number; giveUpAfterMs?: number },
): Promise<SdkDelivery> {
  const wait = (seconds: number) =>
    new Promise((r) => setTimeout(r, Math.max(1, seconds * 1000 * options.timeScale)));
  const deadline = Date.now() + (options.giveUpAfterMs ?? 30_000);
  const out: SdkDelivery = { delivered: [], dropped: [], answers: [] };
  const ping = async () => {
    for (;;) {
      if (Date.now() > deadline) throw new Error('the ping never answered 200');
      const ok = await fetch(`${origin}/is-alive/ping`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) return;
      await wait(10);
    }
  };
  const queue = [...requests];
  await ping();
  while (queue.length > 0) {
    if (Date.now() > deadline) throw new Error(`not delivered in time: ${queue.length} left`);
    const r = queue.shift()!;
    let answer: Awaited<ReturnType<typeof sendAsSdk>> | undefined;
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        answer = await sendAsSdk(origin, r);
      } catch {
        answer = undefined;
      }
      const status = answer?.status ?? 0;
      out.answers.push({
        status,
        rateLimitReset: answer?.headers.get('ratelimit-reset') ?? undefined,
        retryAfter: answer?.headers.get('retry-after') ?? undefined,
      });
      if (status !== 0 && status !== 429 && status < 500) break;
      if (attempt === 3) break;
      const retryAfter = Number(answer?.headers.get('retry-after'));
      await wait(
        status === 429 && retryAfter >= 0 && retryAfter <= 60 ? retryAfter : attempt === 1 ? 5 : 6,
      );
    }
    const status = answer?.status ?? 0;
    if (status === 0) {
      // Connection error: kept as failed, replayed after the next good ping.
      queue.push(r);
      await wait(10);
      await ping();
    } else if ((status >= 200 && status < 300) || status === 409) out.delivered.push(r);
    else if (status === 429 && answer?.headers.get('ratelimit-reset')) {
      await wait(Number(answer.headers.get('ratelimit-reset')));
      queue.push(r);
    } else out.dropped.push({ request: r, status });
  }
  return out;
}
