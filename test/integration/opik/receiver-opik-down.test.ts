/**
 * Opik down, no sending queue: the receiver answers 429 with `RateLimit-Reset` and `Retry-After`
 * (the only answer the Python SDK re-queues without limit), the SDK-shaped client keeps
 * re-sending, and once Opik is back everything is delivered, exactly as Dify would have written it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeOpik, startFakeOpik } from '../../fake-opik/server.js';
import { difyWrites, sendAsSdk } from '../../fixtures/dify-opik-provider/requests.js';
import { deliverLikePythonSdk } from '../../support/python-sdk-client.js';
import { comparable } from './harness.js';
import { startCollector } from './receiver-harness.js';

const fakes: FakeOpik[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

describe('opik receiver while Opik is down, without a queue', () => {
  it('answers 429 with RateLimit-Reset until Opik is back; the SDK re-sends and nothing is lost', async () => {
    const requests = [
      'workflow_chatflow.json',
      'message_chat.json',
      'moderation_flagged.json',
    ].flatMap((n) => difyWrites(n).batch);
    const direct = await startFakeOpik();
    const behind = await startFakeOpik();
    fakes.push(direct, behind);
    for (const r of requests) await sendAsSdk(direct.url, r);

    const collector = await startCollector(behind, {
      ingestion_window: { check: false },
      retry_on_failure: { max_elapsed_time: '50ms' },
    });
    closers.push(() => collector.close());
    behind.down = true;
    setTimeout(() => {
      behind.down = false;
    }, 400);
    const result = await deliverLikePythonSdk(collector.url, requests, { timeScale: 0.02 });

    expect(result.dropped).toEqual([]);
    expect(result.delivered).toHaveLength(requests.length);
    const refusals = result.answers.filter((a) => a.status === 429);
    expect(refusals.length).toBeGreaterThan(0);
    expect(
      refusals.every((a) => Number(a.rateLimitReset) >= 1 && a.retryAfter === a.rateLimitReset),
    ).toBe(true);
    const state = (f: FakeOpik) => ({
      traces: comparable(f.store.rows('traces')),
      spans: comparable(f.store.rows('spans')),
    });
    expect(state(behind)).toEqual(state(direct));
  });
});
