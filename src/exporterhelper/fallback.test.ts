import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PermanentError, RetryableError } from '../errors/errors.js';
import { capturingLogger, type Step, scriptedSender } from '../testing/senders.js';
import { TestHost } from '../testing/settings.js';
import { type FailureVerdict, withFallback } from './fallback.js';

const unusable = () => new RetryableError('ERR_EXPORT_ENDPOINT_UNUSABLE', 'HTTP 404');
const outage = () => new RetryableError('ERR_EXPORT_FAILED', 'HTTP 503');
const badData = () => new PermanentError('ERR_EXPORT_REJECTED', 'HTTP 400');
const judge = (err: unknown): FailureVerdict => {
  if (err instanceof PermanentError) return 'ignore';
  return (err as RetryableError).code === 'ERR_EXPORT_ENDPOINT_UNUSABLE' ? 'switch' : 'count';
};

function setup(primarySteps: Step[], secondarySteps: Step[] = ['ok'], enabled = true) {
  const primary = scriptedSender<string>(primarySteps);
  const secondary = scriptedSender<string>(secondarySteps);
  const { logger, lines } = capturingLogger();
  const switches: string[] = [];
  const sender = withFallback(primary, secondary, {
    enabled,
    switchAfterFailures: 3,
    probeIntervalMs: 60_000,
    judge,
    logger,
    onSwitch: (to) => switches.push(to),
    names: { primary: 'otlp', secondary: 'rest' },
  });
  const send = (r: string) => sender.send(r, new AbortController().signal);
  return { primary, secondary, lines, switches, send, sender };
}

describe('withFallback', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('switches at once when the primary says it is unusable, delivering that request', async () => {
    const t = setup([unusable()]);
    await t.send('a');
    await t.send('b');
    expect(t.primary.calls).toEqual(['a']);
    expect(t.secondary.calls).toEqual(['a', 'b']);
    expect(t.switches).toEqual(['secondary']);
    expect(t.lines.filter((l) => l.msg === 'switching to the rest path')).toHaveLength(1);
  });

  it('publishes the path in use for the status page', async () => {
    const t = setup([unusable()]);
    const host = new TestHost();
    await t.sender.start(host);
    expect(host.details()).toEqual({ path: 'otlp' });
    await t.send('a');
    expect(host.details()).toEqual({ path: 'rest' });
  });

  it('switches after switch_after_failures failed attempts in a row', async () => {
    const t = setup([outage()]);
    await expect(t.send('a')).rejects.toThrow('HTTP 503');
    await expect(t.send('a')).rejects.toThrow('HTTP 503');
    await t.send('a');
    expect(t.primary.calls).toHaveLength(3);
    expect(t.secondary.calls).toEqual(['a']);
  });

  it('starts counting again after a success', async () => {
    const t = setup([outage(), outage(), 'ok', outage(), outage(), 'ok']);
    for (let i = 0; i < 2; i++) await expect(t.send('x')).rejects.toThrow();
    await t.send('x');
    for (let i = 0; i < 2; i++) await expect(t.send('x')).rejects.toThrow();
    await t.send('x');
    expect(t.secondary.calls).toHaveLength(0);
    expect(t.switches).toEqual([]);
  });

  it('rethrows failures that are not the path’s fault, without counting them', async () => {
    const t = setup([badData()]);
    for (let i = 0; i < 5; i++) await expect(t.send('x')).rejects.toBeInstanceOf(PermanentError);
    expect(t.secondary.calls).toHaveLength(0);
  });

  it('probes the primary once per probe_interval and returns to it when it works', async () => {
    const t = setup([unusable(), unusable(), 'ok']);
    await t.send('a'); // switch
    await t.send('b'); // on secondary, no probe yet
    await vi.advanceTimersByTimeAsync(60_000);
    await t.send('c'); // probe fails → secondary
    await t.send('d'); // within the next interval: secondary only
    await vi.advanceTimersByTimeAsync(60_000);
    await t.send('e'); // probe succeeds → back on primary
    await t.send('f');
    expect(t.primary.calls).toEqual(['a', 'c', 'e', 'f']);
    expect(t.secondary.calls).toEqual(['a', 'b', 'c', 'd']);
    expect(t.switches).toEqual(['secondary', 'primary']);
    expect(t.lines.filter((l) => l.msg === 'the otlp path works again; using it')).toHaveLength(1);
  });

  it('uses only the primary when disabled', async () => {
    const t = setup([unusable()], ['ok'], false);
    await expect(t.send('a')).rejects.toThrow('HTTP 404');
    expect(t.secondary.calls).toHaveLength(0);
  });

  it('shuts both paths down', async () => {
    const t = setup(['ok']);
    await t.sender.shutdown();
    expect([t.primary.shutdowns, t.secondary.shutdowns]).toEqual([1, 1]);
  });
});
