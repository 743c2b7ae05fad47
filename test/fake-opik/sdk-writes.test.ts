import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeOpik, startFakeOpik } from './server.js';

let fake: FakeOpik;
beforeEach(async () => {
  fake = await startFakeOpik();
});
afterEach(() => fake.stop());

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(fake.url + path, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
    location: res.headers.get('location'),
  };
}

const T = '019ea0c4-7a80-7000-8000-000000000001';
const S = '019ea0c4-7a80-7000-8000-000000000002';
const trace = { id: T, name: 't', start_time: '2026-11-20T10:00:00.123Z', project_name: 'p' };

describe('fake Opik: the other calls of Opik’s SDKs', () => {
  it('answers the ping without auth, the auth check with 204 and the workspace by name', async () => {
    expect(await call('GET', '/is-alive/ping')).toMatchObject({
      status: 200,
      body: { message: 'Healthy Server', healthy: true },
    });
    expect((await call('POST', '/api/v1/private/auth')).status).toBe(204);
    expect(await call('GET', '/api/v1/private/auth/workspace')).toMatchObject({
      status: 200,
      body: { workspace_name: 'default' },
    });
    expect(
      (await call('POST', '/api/v1/private/auth', undefined, { 'comet-workspace': 'acme' })).status,
    ).toBe(404);
  });

  it('single creates: 201 with a Location; a trace again is 409, a span again is left as it is', async () => {
    const first = await call('POST', '/api/v1/private/traces', trace);
    expect([first.status, first.location]).toEqual([201, `${fake.url}/api/v1/private/traces/${T}`]);
    expect(await call('POST', '/api/v1/private/traces', trace)).toMatchObject({
      status: 409,
      body: { errors: ['Trace already exists'] },
    });
    const span = {
      id: S,
      trace_id: T,
      name: 's',
      start_time: '2026-11-20T10:00:01Z',
      project_name: 'p',
    };
    expect((await call('POST', '/api/v1/private/spans', span)).status).toBe(201);
    expect((await call('POST', '/api/v1/private/spans', { ...span, name: 'changed' })).status).toBe(
      201,
    );
    expect(fake.spans('p')[0]).toMatchObject({ name: 's', type: 'general' });
    expect(
      await call('POST', '/api/v1/private/spans', { ...span, start_time: undefined }),
    ).toMatchObject({
      status: 422,
      body: { errors: ['startTime must not be null'] },
    });
  });

  it('PATCH replaces the fields sent; before the create it makes a partial row the create fills in', async () => {
    expect(
      (await call('PATCH', `/api/v1/private/traces/${T}`, { project_name: 'p', output: { a: 1 } }))
        .status,
    ).toBe(204);
    expect(fake.traces('p')[0]).toMatchObject({
      id: T,
      start_time: '1970-01-01T00:00:00.000Z',
      output: { a: 1 },
    });
    expect((await call('POST', '/api/v1/private/traces', trace)).status).toBe(201);
    expect(fake.traces('p')[0]).toMatchObject({
      name: 't',
      start_time: '2026-11-20T10:00:00.123Z',
      output: { a: 1 },
    });
    await call('PATCH', `/api/v1/private/traces/${T}`, {
      project_name: 'p',
      tags_to_add: ['x'],
      end_time: '2026-11-20T10:00:05Z',
    });
    expect(fake.traces('p')[0]).toMatchObject({
      name: 't',
      tags: ['x'],
      end_time: '2026-11-20T10:00:05.000Z',
    });
    expect(await call('PATCH', `/api/v1/private/spans/${S}`, { output: {} })).toMatchObject({
      status: 422,
      body: { errors: ['traceId must not be null'] },
    });
    expect(
      await call('PATCH', `/api/v1/private/traces/${T}`, { project_name: 'other' }),
    ).toMatchObject({ status: 409 });
    expect(
      await call('PATCH', '/api/v1/private/traces/019ea0c4-7a80-4000-8000-000000000001', {}),
    ).toMatchObject({
      status: 400,
      body: { message: 'Invalid UUID for id' },
    });
  });

  it('keeps feedback scores, checking them as Opik does', async () => {
    const score = { id: T, name: 'relevance', value: 0.5, source: 'sdk' };
    expect(
      (await call('PUT', '/api/v1/private/traces/feedback-scores', { scores: [score] })).status,
    ).toBe(204);
    expect(fake.scores).toEqual([{ kind: 'traces', ...score }]);
    expect(
      await call('PUT', '/api/v1/private/spans/feedback-scores', {
        scores: [{ ...score, name: ' ' }],
      }),
    ).toMatchObject({
      status: 422,
      body: { errors: ['scores[0].name must not be blank'] },
    });
  });
});
