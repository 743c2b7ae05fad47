import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RetryableError } from '../errors/errors.js';
import { capturingLogger } from '../testing/senders.js';
import { TestHost } from '../testing/settings.js';
import { DeliveryWatch, type QueueView } from './delivery-watch.js';

/** A transport failure as the Opik client wraps one: the network error is its cause. */
const refused = () =>
  new RetryableError(
    'ERR_EXPORT_FAILED',
    'cannot reach Opik at http://localhost:5173/api: connect ECONNREFUSED 127.0.0.1:5173',
    {},
    {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5173'), {
        code: 'ECONNREFUSED',
      }),
    },
  );
const unavailable = () => new RetryableError('ERR_EXPORT_FAILED', 'Opik answered HTTP 503');
const unauthorized = () =>
  new RetryableError('ERR_EXPORT_UNAUTHORIZED', 'Opik refused the request: HTTP 401');

const diskQueue = (size = 1500): QueueView => ({
  persistent: true,
  capacity: 100_000,
  sizer: 'items',
  size: () => size,
});

function setup(queue: QueueView | null = diskQueue(), maxElapsedMs = 0) {
  const { logger, lines } = capturingLogger();
  const watch = new DeliveryWatch(logger, { summaryIntervalMs: 60_000 });
  const host = new TestHost();
  if (queue) watch.useQueue(queue);
  watch.useRetry(maxElapsedMs);
  watch.attach(host);
  const messages = () => lines.map((l) => `${l.level}: ${l.msg}`);
  return { watch, host, lines, messages };
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-06-01T12:00:00.000Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('DeliveryWatch', () => {
  it('logs the first failure of a kind with its reason and what happens to the data', () => {
    const { watch, lines, messages } = setup();
    watch.retrying(refused(), 5000);
    watch.retrying(refused(), 7500);
    expect(messages()).toEqual([
      '40: export failing: cannot reach Opik at http://localhost:5173/api: connect ECONNREFUSED 127.0.0.1:5173 (connection refused: nothing listens at that address; is the service running?); retrying in 5s; the data waits in the persistent queue (on disk), retried until it goes through',
    ]);
    expect(lines[0]).toMatchObject({ kind: 'ERR_EXPORT_FAILED:ECONNREFUSED' });
    watch.retrying(unavailable(), 5000);
    expect(messages()[1]).toBe(
      '40: export failing: Opik answered HTTP 503 (the service is unavailable (down, starting or overloaded)); retrying in 5s; the data waits in the persistent queue (on disk), retried until it goes through',
    );
    expect(lines).toHaveLength(2);
  });

  it('says when retries end and where the data goes then', () => {
    const memory = setup({ ...diskQueue(), persistent: false }, 300_000);
    memory.watch.retrying(unavailable(), 5000);
    expect(memory.messages()[0]).toMatch(
      /; retrying in 5s; the data waits in the memory queue; after 5m0s of retries it goes to the dead-letter file$/,
    );
    const direct = setup(null, 300_000);
    direct.watch.retrying(unavailable(), 5000);
    direct.watch.failed(refused());
    expect(direct.messages()).toEqual([
      expect.stringMatching(
        /retrying in 5s; the sender waits for the outcome; after 5m0s of retries the sender gets the error$/,
      ),
      expect.stringMatching(
        /ECONNREFUSED.*; given up after 5m0s of retries; the sender gets the error \(and may send again\)$/,
      ),
    ]);
  });

  it('reports a recoverable error while deliveries fail, degraded when credentials are refused', () => {
    const { watch, host, lines } = setup();
    watch.retrying(unavailable(), 5000);
    watch.retrying(unavailable(), 5000);
    expect(host.reports).toEqual([
      {
        state: 'recoverable_error',
        reason:
          'Opik answered HTTP 503 (the service is unavailable (down, starting or overloaded))',
      },
    ]);
    watch.retrying(unauthorized(), 5000);
    expect(host.reports.at(-1)).toEqual({
      state: 'degraded',
      reason: 'Opik refused the request: HTTP 401 (the credentials were refused)',
    });
    expect(lines.at(-1)?.level).toBe(50);
  });

  it('sums up at most once a minute while the failures last', async () => {
    const { watch, messages } = setup();
    watch.retrying(refused(), 5000);
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(10_000);
      watch.retrying(refused(), 10_000);
    }
    await vi.advanceTimersByTimeAsync(9_999);
    expect(messages()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(messages()[1]).toBe(
      '40: still failing after 1m0s: 6 failed attempt(s), 6 retries in the last 1m0s; 1500 span(s) queued; 0 item(s) dead-lettered; last error: cannot reach Opik at http://localhost:5173/api: connect ECONNREFUSED 127.0.0.1:5173 (connection refused: nothing listens at that address; is the service running?)',
    );
    await vi.advanceTimersByTimeAsync(60_000);
    expect(messages()).toHaveLength(3);
    expect(messages()[2]).toMatch(
      /^40: still failing after 2m0s: 0 failed attempt\(s\), 0 retries/,
    );
  });

  it('logs the recovery once, reports ok, and logs a new outage again', async () => {
    const { watch, host, messages } = setup();
    watch.retrying(refused(), 5000);
    await vi.advanceTimersByTimeAsync(95_000);
    watch.delivered(1000);
    watch.delivered(500);
    expect(messages().slice(-1)).toEqual([
      '30: delivering again after 1m35s of failures; 1500 span(s) waiting',
    ]);
    expect(host.reports.at(-1)).toEqual({ state: 'ok' });
    const before = messages().length;
    watch.retrying(refused(), 5000);
    expect(messages().slice(before)).toEqual([expect.stringMatching(/^40: export failing: /)]);
  });

  it('logs the first dead letter of a kind with the file and how to replay it', async () => {
    const { watch, lines, messages } = setup();
    const file = 'data/opik.dead-letter.jsonl';
    watch.deadLettered(1, 'HTTP 400: span id is not a UUIDv7', file);
    watch.deadLettered(3, 'HTTP 400: start_time missing', file);
    watch.deadLettered(2, "id outside Opik's ingestion window of 24h around now (too_old)", file);
    expect(messages()).toEqual([
      '50: 1 item(s) could not be delivered and will not be retried: HTTP 400: span id is not a UUIDv7; written to data/opik.dead-letter.jsonl; fix the cause, then re-send them with `dify-opik-collector replay data/opik.dead-letter.jsonl --config <your config>`',
      "50: 2 item(s) could not be delivered and will not be retried: id outside Opik's ingestion window of 24h around now (too_old); written to data/opik.dead-letter.jsonl; fix the cause, then re-send them with `dify-opik-collector replay data/opik.dead-letter.jsonl --config <your config>`",
    ]);
    expect(lines[0]).toMatchObject({ items: 1, file });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(messages()[2]).toBe('40: 6 item(s) dead-lettered in the last 1m0s');
    expect(watch.details()).toMatchObject({ deadLettered: 6, deadLetterFile: file });
  });

  it('says dropped when there is no dead-letter file', () => {
    const { watch, messages } = setup();
    watch.deadLettered(1, 'HTTP 422: bad', null);
    expect(messages()[0]).toMatch(/; dropped \(no dead-letter file is configured\) and counted$/);
  });

  it('says when the first spans are delivered, then how many once a minute, then stops', async () => {
    const { watch, messages } = setup();
    watch.delivered(3);
    watch.delivered(7);
    await vi.advanceTimersByTimeAsync(60_000);
    await vi.advanceTimersByTimeAsync(60_000);
    watch.delivered(0);
    expect(messages()).toEqual([
      '30: first spans delivered (3)',
      '30: delivered 10 span(s) in the last 1m0s',
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps the latest distinct errors, newest first, with how often each came in a row', () => {
    const { watch, host } = setup();
    watch.retrying(refused(), 5000);
    watch.retrying(refused(), 5000);
    vi.advanceTimersByTime(1000);
    watch.retrying(unavailable(), 5000);
    const { delivery, queue } = host.details();
    expect(queue).toEqual({ size: 1500, capacity: 100_000, sizer: 'items', persistent: true });
    expect(delivery).toEqual({
      deliveredSpans: 0,
      failedAttempts: 3,
      retries: 3,
      deadLettered: 0,
      failingSince: '2026-06-01T12:00:00.000Z',
      lastErrors: [
        {
          time: '2026-06-01T12:00:01.000Z',
          message: expect.stringMatching(/^Opik answered HTTP 503/),
          count: 1,
        },
        {
          time: '2026-06-01T12:00:00.000Z',
          message: expect.stringMatching(/ECONNREFUSED/),
          count: 2,
        },
      ],
    });
  });
});
