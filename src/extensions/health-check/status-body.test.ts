import { describe, expect, it } from 'vitest';
import type { CollectorStatus, ComponentHealth } from '../../component/types.js';
import { goDuration, healthReply } from './status-body.js';

const startedAt = new Date('2026-01-01T00:00:00.000Z');
const now = new Date('2026-01-01T01:02:03.500Z');
const ok: ComponentHealth = { id: 'otlp', kind: 'receiver', state: 'ok' };

describe('health reply', () => {
  it('is available with the Collector fields and the component list when ready', () => {
    expect(healthReply({ ready: true, startedAt, components: [ok] }, now)).toEqual({
      httpStatus: 200,
      body: {
        status: 'Server available',
        upSince: '2026-01-01T00:00:00.000Z',
        uptime: '1h2m3.5s',
        components: [{ id: 'otlp', kind: 'receiver', state: 'ok' }],
      },
    });
  });

  it.each<[string, CollectorStatus, 200 | 503]>([
    ['starting', { ready: false, components: [ok] }, 503],
    ['shutting down', { ready: false, startedAt, components: [ok] }, 503],
    [
      'a failed component',
      {
        ready: true,
        startedAt,
        components: [ok, { id: 'opik', kind: 'exporter', state: 'failed', reason: 'crashed' }],
      },
      503,
    ],
    [
      'a degraded exporter',
      {
        ready: true,
        startedAt,
        components: [ok, { id: 'opik', kind: 'exporter', state: 'degraded', reason: '401' }],
      },
      200,
    ],
  ])('answers %s with %i', (_name, status, code) => {
    const reply = healthReply(status, now);
    expect(reply.httpStatus).toBe(code);
    expect(reply.body.status).toBe(code === 200 ? 'Server available' : 'Server not available');
    expect(reply.body.components).toEqual(status.components);
  });

  it('has no up-since time before the collector was ever ready', () => {
    expect(healthReply({ ready: false, components: [] }, now).body).toMatchObject({
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
