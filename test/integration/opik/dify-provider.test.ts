/**
 * Dify's Opik provider pointed at the collector: the requests it sends through the Opik Python
 * SDK (test/fixtures/dify-opik-provider) for every Dify trace type, batched (Dify 1.14–1.17) and
 * one by one (Dify ≤ 1.13), reach the fake Opik as the same objects they make when sent to Opik
 * directly, on the exporter's OTLP path and on its REST path, on Opik 2.1 and 2.2 alike; sending
 * them again changes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeOpik, startFakeOpik } from '../../fake-opik/server.js';
import { OPIK_2_1, OPIK_2_2 } from '../../fake-opik/version.js';
import {
  DIFY_SETTINGS,
  DIFY_TRACE_FIXTURES,
  difyConfigCheck,
  difyWrites,
  sendAsSdk,
} from '../../fixtures/dify-opik-provider/requests.js';
import type { WireRequest } from '../../fixtures/dify-opik-provider/sdk.js';
import { comparable } from './harness.js';
import { startCollector } from './receiver-harness.js';

const fakes: FakeOpik[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

async function fake(version: string) {
  const f = await startFakeOpik({ version });
  fakes.push(f);
  return f;
}

const state = (f: FakeOpik) => ({
  traces: comparable(f.store.rows('traces')),
  spans: comparable(f.store.rows('spans')),
});

/** Spans first: the SDK sends both batches at once and the spans' often lands first. */
const spansFirst = (requests: readonly WireRequest[]) =>
  [...requests].sort(
    (a, b) => Number(b.path.includes('/spans')) - Number(a.path.includes('/spans')),
  );

async function sendAll(origin: string, requests: readonly WireRequest[]): Promise<number[]> {
  const statuses: number[] = [];
  for (const r of spansFirst(requests)) statuses.push((await sendAsSdk(origin, r)).status);
  return statuses;
}

/** What Opik holds after the provider wrote to it directly. */
async function direct(version: string, requests: readonly WireRequest[]) {
  const f = await fake(version);
  await sendAll(f.url, requests);
  return state(f);
}

/** What Opik holds after the same requests went through the collector, once and then again. */
async function throughCollector(
  version: string,
  requests: readonly WireRequest[],
  path: 'otlp' | 'rest',
) {
  const f = await fake(version);
  f.otlpMissing = path === 'rest';
  const collector = await startCollector(
    f,
    { ingestion_window: { check: false } },
    { api_keys: [DIFY_SETTINGS.apiKey] },
  );
  closers.push(() => collector.close());
  const statuses = await sendAll(collector.url, requests);
  const once = state(f);
  await sendAll(collector.url, requests);
  await collector.close();
  return { statuses, once, twice: state(f), fake: f };
}

describe.each([OPIK_2_1, OPIK_2_2])(
  'Dify’s Opik provider through the opik receiver, Opik %s',
  (version) => {
    it.each(DIFY_TRACE_FIXTURES)(
      '%s: the same objects as Dify writing to Opik, on both paths',
      async (name) => {
        const { batch } = difyWrites(name);
        const want = await direct(version, batch);
        expect(want.spans.length).toBeGreaterThan(0);
        for (const path of ['otlp', 'rest'] as const) {
          const got = await throughCollector(version, batch, path);
          expect(got.statuses.every((s) => s === 204)).toBe(true);
          expect(got.once).toEqual(want);
          expect(got.twice).toEqual(want);
        }
      },
    );

    it('the single-create form (Dify ≤ 1.13): each object on its own, answered 201', async () => {
      for (const name of ['workflow_chatflow.json', 'message_chat.json', 'tool_error.json']) {
        const { single } = difyWrites(name);
        const want = await direct(version, single);
        for (const path of ['otlp', 'rest'] as const) {
          const got = await throughCollector(version, single, path);
          expect(got.statuses.every((s) => s === 201)).toBe(true);
          expect(got.once).toEqual(want);
          expect(got.twice).toEqual(want);
        }
      }
    });

    it('a worker outside UTC: times with an offset land on the same instants', async () => {
      const { batch, traces } = difyWrites('workflow_chatflow.json', 480);
      const want = await direct(version, batch);
      expect(want.traces[0]).toMatchObject({ start_time: '2026-06-12T00:30:01.123Z' });
      expect(JSON.stringify(traces[0])).toContain('+08:00');
      const got = await throughCollector(version, batch, 'otlp');
      expect(got.once).toEqual(want);
    });

    it('saving the tracing config: ping at the host root, the key checked, the workspace named', async () => {
      const f = await fake(version);
      const collector = await startCollector(f, {}, { api_keys: [DIFY_SETTINGS.apiKey] });
      closers.push(() => collector.close());
      const [ping, auth, workspace] = difyConfigCheck();
      expect((await sendAsSdk(collector.url, ping!)).status).toBe(200);
      expect((await sendAsSdk(collector.url, auth!)).status).toBe(204);
      const ws = await sendAsSdk(collector.url, workspace!);
      expect([ws.status, JSON.parse(ws.body)]).toEqual([200, { workspace_name: 'default' }]);
      const wrongKey = { ...auth!, headers: { ...auth!.headers, Authorization: 'not-the-key' } };
      const refused = await sendAsSdk(collector.url, wrongKey);
      expect([refused.status, JSON.parse(refused.body)]).toEqual([
        401,
        { code: 401, message: 'User not allowed to access workspace!' },
      ]);
      // The ping works under /api too (SDK 2.0.64+), and needs no key.
      const newer = await sendAsSdk(collector.url, {
        ...ping!,
        path: '/api/is-alive/ping',
        headers: {},
      });
      expect(newer.status).toBe(200);
    });
  },
);
