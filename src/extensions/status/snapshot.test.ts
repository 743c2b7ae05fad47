import { describe, expect, it } from 'vitest';
import type { CollectorStatus } from '../../component/types.js';
import type { RateBook } from './rates.js';
import { buildSnapshot } from './snapshot.js';

const t0 = new Date('2026-06-01T12:00:00.000Z');
const now = new Date('2026-06-01T12:05:30.000Z');
const rates: RateBook = {
  total: (s) => ({ 'processor:traces:filter:in': 100, 'processor:traces:filter:out': 60 })[s] ?? 7,
  rate: (s) => ({ 'processor:traces:filter:in': 10, 'processor:traces:filter:out': 6 })[s] ?? 1.234,
  history: () => [1, 2.345],
};

describe('status snapshot', () => {
  const status: CollectorStatus = {
    ready: true,
    startedAt: t0,
    pipelines: [{ id: 'traces', receivers: ['otlp'], processors: ['filter'], exporters: ['opik'] }],
    components: [
      { id: 'status', kind: 'extension', state: 'ok', since: t0 },
      { id: 'otlp', kind: 'receiver', state: 'ok', since: t0 },
      {
        id: 'opik',
        kind: 'exporter',
        state: 'recoverable_error',
        reason: 'Opik answered HTTP 503',
        since: now,
        details: {
          path: 'rest',
          queue: { size: 5, capacity: 10, sizer: 'items', persistent: true },
        },
      },
    ],
  };

  it('draws each pipeline with every component’s state and flow', () => {
    const s = buildSnapshot(status, rates, now);
    expect(s.collector).toEqual({ ready: true, startedAt: t0.toISOString(), uptime: '5m30s' });
    const [p] = s.pipelines;
    expect(p!.receivers[0]).toEqual({
      kind: 'receiver',
      id: 'otlp',
      state: 'ok',
      since: t0.toISOString(),
      flow: { perSecond: 1.23, total: 7, history: [1, 2.35] },
      trouble: { label: 'refused', perSecond: 1.23, total: 7 },
    });
    // No status yet (a processor not started): shown as starting.
    expect(p!.processors[0]).toMatchObject({
      id: 'filter',
      state: 'starting',
      flow: { perSecond: 10, total: 100 },
      trouble: { label: 'dropped', perSecond: 4, total: 40 },
    });
    expect(p!.exporters[0]).toMatchObject({
      state: 'recoverable_error',
      reason: 'Opik answered HTTP 503',
      trouble: { label: 'failed' },
    });
  });

  it('lists each exporter with what it published, and the extensions', () => {
    const s = buildSnapshot(status, rates, now);
    expect(s.exporters).toEqual([
      {
        id: 'opik',
        state: 'recoverable_error',
        reason: 'Opik answered HTTP 503',
        since: now.toISOString(),
        path: 'rest',
        queue: { size: 5, capacity: 10, sizer: 'items', persistent: true },
      },
    ]);
    expect(s.extensions).toEqual([{ id: 'status', state: 'ok', since: t0.toISOString() }]);
  });
});
