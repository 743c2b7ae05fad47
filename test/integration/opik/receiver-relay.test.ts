/**
 * What the receiver does not serve itself goes to the configured Opik unchanged, with the
 * configured credentials in place of the caller's, and Opik's answer comes back as it was.
 */
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { TracesSink } from '../../../src/testing/sink.js';
import { type FakeOpik, startFakeOpik } from '../../fake-opik/server.js';
import { startReceiver } from './receiver-harness.js';

const fakes: FakeOpik[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

const TRACE = '019ad8f1-3a40-7000-8000-000000000001';

describe('opik receiver relay', () => {
  it('forwards other calls with the relay’s key and workspace, and relays Opik’s answers', async () => {
    const fake = await startFakeOpik({ auth: { mode: 'cloud', keys: { 'opik-key': ['team'] } } });
    fakes.push(fake);
    const { receiver, url, settings } = await startReceiver(
      new TracesSink(),
      { api_keys: ['caller-key'], relay: { api_key: 'opik-key', workspace: 'team' } },
      fake,
    );
    closers.push(() => receiver.shutdown());
    const scores = gzipSync(
      JSON.stringify({ scores: [{ id: TRACE, name: 'relevance', value: 0.5, source: 'sdk' }] }),
    );
    const put = await fetch(`${url}/api/v1/private/traces/feedback-scores?x=1`, {
      method: 'PUT',
      headers: {
        authorization: 'caller-key',
        'comet-workspace': 'whatever',
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      body: scores,
    });
    expect(put.status).toBe(204);
    const relayed = fake.requests.at(-1)!;
    expect(relayed.path).toBe('/v1/private/traces/feedback-scores');
    expect([relayed.headers.authorization, relayed.headers['comet-workspace']]).toEqual([
      'opik-key',
      'team',
    ]);
    expect(fake.scores).toEqual([
      { kind: 'traces', id: TRACE, name: 'relevance', value: 0.5, source: 'sdk' },
    ]);

    const read = await fetch(`${url}/api/v1/private/traces/${TRACE}`, {
      headers: { authorization: 'caller-key' },
    });
    expect([read.status, await read.json()]).toEqual([
      404,
      { code: 404, message: 'Trace not found' },
    ]);
    const unknown = await fetch(`${url}/api/v1/private/no-such-thing`, {
      headers: { authorization: 'caller-key' },
    });
    expect([unknown.status, await unknown.json()]).toEqual([
      404,
      { code: 404, message: 'HTTP 404 Not Found' },
    ]);
    // The receiver's own key check comes first.
    const refused = await fetch(`${url}/api/v1/private/traces/${TRACE}`);
    expect(refused.status).toBe(401);
    const m = (await settings.telemetry.registry.getMetricsAsJSON()).find(
      (x) => x.name === 'otelcol_receiver_opik_relayed_requests_total',
    );
    expect(m?.values.map((v) => [v.labels.outcome, v.value]).sort()).toEqual([
      ['2xx', 1],
      ['4xx', 2],
    ]);
  });

  it('answers 503 in Opik’s form when Opik cannot be reached', async () => {
    const fake = await startFakeOpik();
    await fake.stop();
    const { receiver, url } = await startReceiver(new TracesSink(), {}, fake);
    closers.push(() => receiver.shutdown());
    const res = await fetch(`${url}/api/v1/private/projects`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { message: string }).message).toMatch(/^Opik is not reachable/);
  });
});
