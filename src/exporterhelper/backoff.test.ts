import { describe, expect, it } from 'vitest';
import { backoffInterval, nextDelay, randomize, withinBudget } from './backoff.js';

const policy = {
  initialIntervalMs: 5000,
  randomizationFactor: 0.5,
  multiplier: 1.5,
  maxIntervalMs: 30_000,
  maxElapsedTimeMs: 300_000,
};

describe('backoff', () => {
  it.each([
    [0, 5000],
    [1, 7500],
    [2, 11_250],
    [3, 16_875],
    [4, 25_312.5],
    [5, 30_000],
    [12, 30_000],
  ])('grows retry %i to %d ms, capped at max_interval', (retry, expected) => {
    expect(backoffInterval(policy, retry)).toBe(expected);
  });

  it.each([
    [0, 2500],
    [0.5, 5000],
    [0.999999, 7499.99],
  ])('spreads 5s by ±50%% (random %f → %d ms)', (r, expected) => {
    expect(randomize(5000, 0.5, () => r)).toBeCloseTo(expected, 1);
  });

  it('never waits less than the delay the server asked for', () => {
    expect(nextDelay(policy, 0, 20_000, () => 0.5)).toBe(20_000);
    expect(nextDelay(policy, 0, 1000, () => 0.5)).toBe(5000);
    expect(nextDelay(policy, 0, undefined, () => 0)).toBe(2500);
  });

  it('spends at most max_elapsed_time, and 0 means forever', () => {
    expect(withinBudget(policy, 290_000, 10_000)).toBe(true);
    expect(withinBudget(policy, 290_001, 10_000)).toBe(false);
    expect(withinBudget({ ...policy, maxElapsedTimeMs: 0 }, 1e12, 30_000)).toBe(true);
  });
});
