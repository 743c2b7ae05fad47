import { describe, expect, it } from 'vitest';
import type { CollectorStatus, ComponentHealth } from '../../component/types.js';
import { goDuration } from '../../config/go-duration.js';
import { healthReply } from './status-body.js';

const startedAt = new Date('2026-01-01T00:00:00.000Z');
const now = new Date('2026-01-01T01:02:03.500Z');
const ok: ComponentHealth = { id: 'otlp', kind: 'receiver', state: 'ok', since: startedAt };
const status = (components: ComponentHealth[], ready = true): CollectorStatus => ({
  ready,
  startedAt,
  components,
  pipelines: [],
});

describe('health reply', () => {
  it('is available with the Collector fields and the component list when ready', () => {
    expect(healthReply(status([ok]), now)).toEqual({
      httpStatus: 200,
      body: {
        status: 'Server available',
        upSince: '2026-01-01T00:00:00.000Z',
        uptime: '1h2m3.5s',
        components: [
          { id: 'otlp', kind: 'receiver', state: 'ok', since: '2026-01-01T00:00:00.000Z' },
        ],
      },
    });
  });

  it.each<[string, CollectorStatus, 200 | 503]>([
    ['starting', { ready: false, components: [ok], pipelines: [] }, 503],
    ['shutting down', status([ok], false), 503],
    [
      'a failed component',
      status([
        ok,
        { id: 'opik', kind: 'exporter', state: 'failed', reason: 'crashed', since: startedAt },
      ]),
      503,
    ],
    [
      'a degraded exporter',
      status([
        ok,
        { id: 'opik', kind: 'exporter', state: 'degraded', reason: '401', since: startedAt },
      ]),
      200,
    ],
  ])('answers %s with %i', (_name, s, code) => {
    const reply = healthReply(s, now);
    expect(reply.httpStatus).toBe(code);
    expect(reply.body.status).toBe(code === 200 ? 'Server available' : 'Server not available');
    expect(reply.body.components.map((c) => c.state)).toEqual(s.components.map((c) => c.state));
  });

  describe('a recoverable error (an export being retried)', () => {
    const failing = (sinceMs: number): ComponentHealth => ({
      id: 'opik',
      kind: 'exporter',
      state: 'recoverable_error',
      reason: 'cannot reach Opik: connection refused',
      since: new Date(now.getTime() - sinceMs),
    });
    const policy = { includeRecoverableErrors: true, recoveryMs: 60_000 };

    it('is shown as it is while it is younger than the recovery duration', () => {
      const reply = healthReply(status([failing(59_000)]), now, policy);
      expect(reply.httpStatus).toBe(200);
      expect(reply.body.components[0]).toMatchObject({
        state: 'recoverable_error',
        reason: 'cannot reach Opik: connection refused',
      });
    });

    it('turns degraded, saying for how long, once it outlasts the recovery duration', () => {
      const reply = healthReply(status([failing(95_400)]), now, policy);
      expect(reply.httpStatus).toBe(200);
      expect(reply.body.components[0]).toEqual({
        id: 'opik',
        kind: 'exporter',
        state: 'degraded',
        reason: 'failing for 1m35s: cannot reach Opik: connection refused',
        since: new Date(now.getTime() - 95_400).toISOString(),
      });
    });

    it('never turns degraded when recoverable errors are not included', () => {
      const reply = healthReply(status([failing(3_600_000)]), now, {
        ...policy,
        includeRecoverableErrors: false,
      });
      expect(reply.body.components[0]!.state).toBe('recoverable_error');
    });
  });

  it('has no up-since time before the collector was ever ready', () => {
    expect(healthReply({ ready: false, components: [], pipelines: [] }, now).body).toMatchObject({
      upSince: null,
      uptime: '',
    });
  });

  it.each([
    [0, '0ms'],
    [750, '750ms'],
    [1000, '1s'],
    [42_500, '42.5s'],
    [180_250, '3m0.25s'],
    [7_205_000, '2h0m5s'],
  ])('writes %i ms as the Go duration %s', (ms, text) => {
    expect(goDuration(ms)).toBe(text);
  });
});
