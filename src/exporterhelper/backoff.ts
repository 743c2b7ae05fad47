/** Exponential backoff with jitter, as the Collector's retry sender computes it. */
export interface BackoffPolicy {
  readonly initialIntervalMs: number;
  /** The delay is drawn from interval × [1 − factor, 1 + factor]. */
  readonly randomizationFactor: number;
  readonly multiplier: number;
  readonly maxIntervalMs: number;
  /** Give up once the next attempt would start later than this after the first; 0 = never. */
  readonly maxElapsedTimeMs: number;
}

/** The un-randomised interval before retry number `retry` (0 for the first retry). */
export function backoffInterval(policy: BackoffPolicy, retry: number): number {
  const grown = policy.initialIntervalMs * policy.multiplier ** retry;
  return Math.min(grown, policy.maxIntervalMs);
}

/** `interval` spread by ± `factor`; `random` returns a number in [0, 1). */
export function randomize(interval: number, factor: number, random: () => number): number {
  const delta = factor * interval;
  return interval - delta + random() * 2 * delta;
}

/**
 * The delay before retry number `retry`: the randomised backoff, but never less than what the
 * failing side asked for (`Retry-After`, gRPC `RetryInfo`).
 */
export function nextDelay(
  policy: BackoffPolicy,
  retry: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number {
  const backoff = randomize(backoffInterval(policy, retry), policy.randomizationFactor, random);
  return Math.max(Math.round(backoff), retryAfterMs ?? 0);
}

/** Whether a retry after `delayMs` still starts within the policy's time budget. */
export function withinBudget(policy: BackoffPolicy, elapsedMs: number, delayMs: number): boolean {
  return policy.maxElapsedTimeMs <= 0 || elapsedMs + delayMs <= policy.maxElapsedTimeMs;
}

/** The policy from a parsed `retry_on_failure` section. */
export function policyFromConfig(c: {
  initial_interval: number;
  randomization_factor: number;
  multiplier: number;
  max_interval: number;
  max_elapsed_time: number;
}): BackoffPolicy {
  return {
    initialIntervalMs: c.initial_interval,
    randomizationFactor: c.randomization_factor,
    multiplier: c.multiplier,
    maxIntervalMs: c.max_interval,
    maxElapsedTimeMs: c.max_elapsed_time,
  };
}
