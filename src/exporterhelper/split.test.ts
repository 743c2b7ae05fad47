import { describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../errors/errors.js';
import { makeSpan, makeTraces } from '../pdata/span.js';
import { eachSpan } from '../pdata/split.js';
import type { Traces } from '../pdata/traces.js';
import { isLocalFailure, RepeatedFailure, sendIsolating } from './split.js';

const batch = (names: string[]): Traces =>
  makeTraces(
    names.map((name, i) =>
      makeSpan({ traceId: 'a'.repeat(32), spanId: `${i + 1}`.padStart(16, '0'), name }),
    ),
  );
const names = (t: Traces) => [...eachSpan(t)].map((s) => s.span.name);

/** A destination that fails every part holding a span named in `bad`, with `failure()`. */
function destination(bad: string[], failure: () => unknown) {
  const delivered: string[] = [];
  const dead: Array<{ names: string[]; reason: string }> = [];
  let sends = 0;
  return {
    delivered,
    dead,
    get sends() {
      return sends;
    },
    send: async (t: Traces) => {
      sends++;
      if (names(t).some((n) => bad.includes(n) || bad.includes('*'))) throw failure();
      delivered.push(...names(t));
      return 0;
    },
    deadLetter: async (t: Traces, reason: string) => {
      dead.push({ names: names(t), reason });
    },
  };
}

const twelve = Array.from({ length: 12 }, (_, i) => `s${i}`);
const stackOverflow = () => new RepeatedFailure(new RangeError('Maximum call stack size exceeded'));

describe('sendIsolating', () => {
  it('finds the one span that fails the same way twice, dead-letters it with the reason and delivers the rest', async () => {
    const d = destination(['s7'], stackOverflow);
    const failed = await sendIsolating(batch(twelve), d.send, d.deadLetter);
    expect(failed).toBe(1);
    expect(d.delivered.sort()).toEqual(twelve.filter((n) => n !== 's7').sort());
    expect(d.dead).toEqual([
      {
        names: ['s7'],
        reason: 'given up: failed twice in a row the same way: Maximum call stack size exceeded',
      },
    ]);
    // 12 → 6 → 3 → 2 → 1: two sends per level, and the first one.
    expect(d.sends).toBeLessThanOrEqual(9);
  });

  it('isolates every bad span when something of the batch goes through', async () => {
    const d = destination(
      ['s1', 's10'],
      () => new PermanentError('ERR_EXPORT_REJECTED', 'HTTP 400'),
    );
    expect(await sendIsolating(batch(twelve), d.send, d.deadLetter)).toBe(2);
    expect(d.dead.map((x) => x.names).sort()).toEqual([['s1'], ['s10']]);
    expect(d.delivered).toHaveLength(10);
  });

  it('gives up on a batch that fails whatever it holds after at most seven sends, in at most four parts', async () => {
    const d = destination(['*'], stackOverflow);
    const thousand = Array.from({ length: 1000 }, (_, i) => `s${i}`);
    expect(await sendIsolating(batch(thousand), d.send, d.deadLetter)).toBe(1000);
    expect(d.sends).toBe(7);
    expect(d.dead.map((x) => x.names.length)).toEqual([250, 250, 250, 250]);
    expect(d.delivered).toEqual([]);
  });

  it.each([
    ['an outage', new RetryableError('ERR_EXPORT_FAILED', 'Opik answered HTTP 503')],
    [
      'a refusal of the credentials',
      new RetryableError('ERR_EXPORT_UNAUTHORIZED', 'HTTP 401', { blocked: true }),
    ],
    [
      'a network error',
      Object.assign(new Error('connect ECONNREFUSED'), {
        code: 'ECONNREFUSED',
        syscall: 'connect',
      }),
    ],
  ])('never splits over %s: the error goes back whole', async (_name, err) => {
    const d = destination(['s3'], () => err);
    await expect(sendIsolating(batch(twelve), d.send, d.deadLetter)).rejects.toBe(err);
    expect([d.sends, d.dead]).toEqual([1, []]);
  });

  it('leaves the data where it was when the dead letter cannot be written', async () => {
    const d = destination(['s0'], stackOverflow);
    const unwritable = new RetryableError('ERR_DEAD_LETTER_UNWRITABLE', 'ENOSPC');
    await expect(
      sendIsolating(batch(['s0', 's1']), d.send, async () => {
        throw unwritable;
      }),
    ).rejects.toBe(unwritable);
  });
});

describe('isLocalFailure', () => {
  it.each([
    [new RangeError('Maximum call stack size exceeded'), true],
    [new TypeError("Cannot read properties of undefined (reading 'x')"), true],
    [new RetryableError('ERR_EXPORT_FAILED', 'HTTP 500'), false],
    [Object.assign(new Error('ENOSPC'), { code: 'ENOSPC', syscall: 'write' }), false],
    [Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }), false],
    [new DOMException('aborted', 'AbortError'), false],
  ])('%s → %s', (err, local) => {
    expect(isLocalFailure(err)).toBe(local);
  });
});
