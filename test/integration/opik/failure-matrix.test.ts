import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mergeTraces } from '../../../src/pdata/split.js';
import { type FakeOpik, type FakeOpikOptions, startFakeOpik } from '../../fake-opik/server.js';
import { metric, startExporter } from './harness.js';
import { llmTrace, oldReceiverSpan } from './spans.js';

const fakes: FakeOpik[] = [];
async function fakeOpik(options: FakeOpikOptions = {}) {
  const fake = await startFakeOpik(options);
  fakes.push(fake);
  return fake;
}
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});
const now = () => Date.now();
const delivered = (fake: FakeOpik) => ({
  spans: fake.spans().length,
  traces: fake.traces().length,
});
const sentVia = (settings: Parameters<typeof metric>[0], path: string) =>
  metric(settings, 'otelcol_exporter_opik_sent_spans_total', { path });

describe('opik exporter failure matrix: switched to REST', () => {
  it.each([404, 405, 415, 501])(
    'switches at once when the OTLP route answers %i',
    async (status) => {
      const fake = await fakeOpik();
      const { exporter, settings, logged } = await startExporter(fake, {
        detect_id_overrides: false,
      });
      fake.fail('otlp', { status, body: { code: status, message: `HTTP ${status}` } }, 100);
      await exporter.consume(llmTrace(now()));
      await exporter.consume(llmTrace(now()));
      expect(delivered(fake)).toEqual({ spans: 6, traces: 2 });
      expect(fake.requestsTo('otlp')).toHaveLength(1);
      expect(await sentVia(settings, 'rest')).toBe(6);
      expect(await metric(settings, 'otelcol_exporter_fallback_active')).toBe(1);
      expect(
        await metric(settings, 'otelcol_exporter_fallback_switches_total', { to: 'secondary' }),
      ).toBe(1);
      expect(logged('switching to the rest path')).toBe(1);
    },
  );

  it('finds out that an Opik before 2.1 ignores the id overrides, and serves it through REST', async () => {
    const fake = await fakeOpik({ idOverrides: false });
    const { exporter, settings, logged } = await startExporter(fake);
    await exporter.consume(llmTrace(now()));
    expect(delivered(fake)).toEqual({ spans: 3, traces: 1 });
    expect(fake.traces()[0]!.name).toBe('request'); // the probe's own rows are gone
    expect(await sentVia(settings, 'otlp')).toBe(0);
    expect(logged('Opik’s OTLP endpoint cannot be used; the REST API carries the spans')).toBe(1);
  });

  it('switches after switch_after_failures attempts in a row fail, and delivers everything', async () => {
    const fake = await fakeOpik();
    const { exporter, settings } = await startExporter(fake, {
      detect_id_overrides: false,
      fallback: { switch_after_failures: 3 },
    });
    fake.fail('otlp', { status: 503, body: { code: 503, message: 'Service Unavailable' } }, 100);
    await exporter.consume(llmTrace(now()));
    expect(fake.requestsTo('otlp')).toHaveLength(3);
    expect(delivered(fake)).toEqual({ spans: 3, traces: 1 });
    expect(await sentVia(settings, 'rest')).toBe(3);
  });

  it('returns to OTLP when a probe after probe_interval succeeds, and logs the return once', async () => {
    const fake = await fakeOpik();
    const { exporter, settings, logged } = await startExporter(fake, {
      detect_id_overrides: false,
      fallback: { probe_interval: '0s' },
    });
    fake.otlpMissing = true;
    await exporter.consume(llmTrace(now()));
    fake.otlpMissing = false;
    await exporter.consume(llmTrace(now()));
    await exporter.consume(llmTrace(now()));
    expect(await sentVia(settings, 'otlp')).toBe(6);
    expect(await metric(settings, 'otelcol_exporter_fallback_active')).toBe(0);
    expect(logged('the otlp path works again; using it')).toBe(1);
  });

  it('uses REST only for a project name that cannot travel in a header', async () => {
    const fake = await fakeOpik();
    const { exporter, settings } = await startExporter(fake, { project_name: '客服 Bot' });
    await exporter.consume(llmTrace(now()));
    expect(fake.spans('客服 Bot')).toHaveLength(3);
    expect(fake.requestsTo('otlp')).toHaveLength(0);
    expect(await sentVia(settings, 'rest')).toBe(3);
  });
});

describe('opik exporter failure matrix: retried', () => {
  it.each([
    ['503', { status: 503, body: { code: 503, message: 'unavailable' } }],
    ['502', { status: 502 }],
    ['504', { status: 504 }],
    ['408', { status: 408 }],
    [
      '500',
      { status: 500, body: { code: 500, message: 'There was an error processing your request.' } },
    ],
    [
      '429 with Retry-After',
      {
        status: 429,
        headers: { 'retry-after': '0' },
        body: { code: 429, message: 'Too Many Requests: slow down' },
      },
    ],
    ['a reset connection', 'reset' as const],
  ])('retries %s and delivers each span once', async (_what, failure) => {
    const fake = await fakeOpik();
    const { exporter, settings } = await startExporter(fake, { detect_id_overrides: false });
    fake.fail('spans', failure);
    fake.fail('otlp', failure);
    await exporter.consume(llmTrace(now(), 2, { 'opik.span.type': 'tool' }));
    expect(delivered(fake)).toEqual({ spans: 3, traces: 1 });
    expect(await metric(settings, 'otelcol_exporter_send_retries_total')).toBe(2);
    expect(await metric(settings, 'otelcol_exporter_fallback_active')).toBe(0);
  });

  it('does not switch paths when Opik as a whole is unreachable, and refuses the batch back', async () => {
    const fake = await fakeOpik();
    await fake.stop();
    const { exporter, settings } = await startExporter(fake, {
      detect_id_overrides: false,
      retry_on_failure: { max_elapsed_time: '30ms' },
    });
    await expect(exporter.consume(llmTrace(now()))).rejects.toMatchObject({
      code: 'ERR_EXPORT_FAILED',
      cause: expect.objectContaining({ path: 'rest' }),
    });
    expect(await metric(settings, 'otelcol_exporter_fallback_active')).toBe(0);
    expect(await metric(settings, 'otelcol_exporter_send_failed_spans_total')).toBe(3);
  });

  it('times out a hung request and retries it', async () => {
    const fake = await fakeOpik();
    const { exporter } = await startExporter(fake, {
      detect_id_overrides: false,
      timeout: '150ms',
    });
    fake.fail('otlp', 'hang');
    await exporter.consume(llmTrace(now()));
    expect(delivered(fake)).toEqual({ spans: 3, traces: 1 });
    expect(fake.requestsTo('otlp')).toHaveLength(2);
  });

  it('honours Retry-After as the least delay: a delay beyond the budget ends the retries', async () => {
    const fake = await fakeOpik();
    const { exporter } = await startExporter(fake, {
      detect_id_overrides: false,
      retry_on_failure: { max_elapsed_time: '3s' },
    });
    fake.fail('traces', {
      status: 429,
      headers: { 'retry-after': '60' },
      body: { code: 429, message: 'Too Many Requests' },
    });
    await expect(exporter.consume(llmTrace(now()))).rejects.toMatchObject({
      code: 'ERR_EXPORT_FAILED',
      retryAfterMs: 60_000,
      throttled: true,
    });
    expect(fake.requestsTo('traces')).toHaveLength(1);
  });

  it('reports refused credentials once as degraded, keeps the data, and recovers', async () => {
    const fake = await fakeOpik({ auth: { mode: 'cloud', keys: { 'good-key': ['acme'] } } });
    const { exporter, host, lines } = await startExporter(fake, {
      detect_id_overrides: false,
      api_key: 'good-key',
      workspace: 'acme',
    });
    fake.fail(
      'traces',
      { status: 401, body: { code: 401, message: 'User not allowed to access workspace!' } },
      3,
    );
    await exporter.consume(llmTrace(now()));
    expect(fake.spans('Default Project')).toHaveLength(3);
    // The delivery watch reports it; the state changes once each way.
    const states = host.reports.map((r) => r.state);
    expect(states.filter((s, i) => s !== states[i - 1])).toEqual(['degraded', 'ok']);
    expect(host.reports[0]!.reason).toContain('User not allowed to access workspace!');
    // One error line for the refused key (the delivery watch's; no second one of its own).
    const errors = lines.filter((l) => (l.level as number) >= 50);
    expect(errors.map((l) => l.msg)).toEqual([
      expect.stringMatching(
        /^export failing: Opik refused the request: HTTP 401: User not allowed to access workspace! \(the credentials were refused\); retrying in /,
      ),
    ]);
  });

  it('never drops data on refused credentials: the batch is refused back as retryable', async () => {
    const fake = await fakeOpik({ auth: { mode: 'cloud', keys: { 'good-key': ['acme'] } } });
    const { exporter, settings } = await startExporter(fake, {
      api_key: 'bad',
      workspace: 'acme',
      retry_on_failure: { max_elapsed_time: '50ms' },
    });
    await expect(exporter.consume(llmTrace(now()))).rejects.toMatchObject({
      code: 'ERR_EXPORT_UNAUTHORIZED',
    });
    expect(await metric(settings, 'otelcol_exporter_opik_dead_lettered_items_total')).toBe(0);
    expect(await metric(settings, 'otelcol_exporter_fallback_active')).toBe(0);
    expect(await metric(settings, 'otelcol_exporter_send_failed_spans_total')).toBe(3);
  });

  it('sends the cloud headers: raw key as Authorization, Comet-Workspace, projectName', async () => {
    const fake = await fakeOpik({ auth: { mode: 'cloud', keys: { k: ['acme'] } } });
    const { exporter } = await startExporter(fake, {
      detect_id_overrides: false,
      api_key: 'k',
      workspace: 'acme',
      project_name: 'Shop',
    });
    await exporter.consume(llmTrace(now()));
    const otlp = fake.requestsTo('otlp')[0]!;
    expect(otlp.headers).toMatchObject({
      authorization: 'k',
      'comet-workspace': 'acme',
      projectname: 'Shop',
      'content-type': 'application/x-protobuf',
      'content-encoding': 'gzip',
    });
    expect(fake.spans('Shop')).toHaveLength(3);
  });

  it('omits Authorization when the key is empty', async () => {
    const fake = await fakeOpik();
    const { exporter } = await startExporter(fake, { detect_id_overrides: false });
    await exporter.consume(llmTrace(now()));
    expect(fake.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
  });

  it('stops retrying at shutdown, rejecting the batch as retryable', async () => {
    const fake = await fakeOpik();
    const { exporter } = await startExporter(fake, {
      detect_id_overrides: false,
      retry_on_failure: { initial_interval: '1h', max_interval: '1h', max_elapsed_time: '0s' },
    });
    fake.fail('traces', { status: 503 });
    const pending = exporter.consume(llmTrace(now()));
    const outcome = expect(pending).rejects.toMatchObject({ code: 'ERR_SHUTTING_DOWN' });
    while (fake.requestsTo('traces').length === 0) await new Promise((r) => setImmediate(r));
    await exporter.shutdown();
    await outcome;
  });
});

describe('opik exporter failure matrix: split and dead-lettered', () => {
  it.each(['otlp', 'rest'] as const)(
    'splits a batch with one id outside the window (%s), dead-letters it, delivers the rest',
    async (path) => {
      const dir = await mkdtemp(join(tmpdir(), 'opik-dl-'));
      const fake = await fakeOpik({ uuidWindowMs: 24 * 3_600_000 });
      fake.otlpMissing = path === 'rest';
      const { exporter, settings } = await startExporter(fake, {
        detect_id_overrides: false,
        dead_letter: { directory: dir },
        ingestion_window: { check: false, outside: 'send' },
      });
      const old = oldReceiverSpan(
        '019ebaf3-cfa3-70b7-a3c9-c9de9689fead',
        '019ebaf3-cfa3-7ab5-b658-8be89e08717d',
      );
      await exporter.consume(mergeTraces([llmTrace(now(), 5), old, llmTrace(now(), 3)]));
      expect(delivered(fake)).toEqual({ spans: 10, traces: 2 });
      const lines = (await readFile(join(dir, 'opik.dead-letter.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines.map((l) => [l.kind, l.item.id])).toEqual([
        ['trace', '019ebaf3-cfa3-70b7-a3c9-c9de9689fead'],
        ['span', '019ebaf3-cfa3-7ab5-b658-8be89e08717d'],
      ]);
      expect(lines[1].reason).toMatch(
        /HTTP 400: Invalid UUID for id: id with timestamp '2026-06-12T08:30:01.123Z' must be in the allowed ingestion window of 'PT24H' around now, reason 'too_old'/,
      );
      expect(await metric(settings, 'otelcol_exporter_sent_spans_total')).toBe(10);
      expect(await metric(settings, 'otelcol_exporter_send_failed_spans_total')).toBe(1);
    },
  );

  it('sets aside ids outside Opik Cloud’s window before sending (the default choice)', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'opik-dl-')), 'dead.jsonl');
    const fake = await fakeOpik({ uuidWindowMs: 24 * 3_600_000 });
    const { exporter, settings } = await startExporter(fake, {
      detect_id_overrides: false,
      dead_letter: { path: file },
      ingestion_window: { check: true },
    });
    const old = oldReceiverSpan(
      '019ebaf3-cfa3-70b7-a3c9-c9de9689fead',
      '019ebaf3-cfa3-7ab5-b658-8be89e08717d',
    );
    await exporter.consume(mergeTraces([old, llmTrace(now(), 1)]));
    expect(delivered(fake)).toEqual({ spans: 2, traces: 1 });
    expect(fake.requests.filter((r) => r.status === 400)).toHaveLength(0);
    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.kind).sort()).toEqual(['span', 'trace']);
    expect(lines[0].reason).toContain("outside Opik's ingestion window of 24h");
    expect(
      await metric(settings, 'otelcol_exporter_opik_dead_lettered_items_total', { kind: 'span' }),
    ).toBe(1);
  });

  it('dead-letters the one span a 422 concerns after splitting, and delivers the others', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'opik-dl-')), 'dead.jsonl');
    const fake = await fakeOpik();
    const { exporter } = await startExporter(fake, {
      detect_id_overrides: false,
      dead_letter: { path: file },
    });
    fake.otlpMissing = true;
    const refusal = {
      status: 422,
      body: { errors: ['spans[0].environment cannot exceed 150 characters'] },
    };
    fake.fail('spans', refusal, 3); // the batch of 4, its first half of 2, then the first span alone
    await exporter.consume(llmTrace(now(), 3));
    expect(fake.spans()).toHaveLength(3);
    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      exporter: 'opik',
      kind: 'span',
      reason: 'HTTP 422: spans[0].environment cannot exceed 150 characters',
    });
  });

  it('dead-letters a whole request Opik refuses for good (409)', async () => {
    const fake = await fakeOpik();
    const { exporter, settings } = await startExporter(fake, { detect_id_overrides: false });
    fake.fail('otlp', { status: 409, body: { errors: ['Trace already exists'] } });
    await exporter.consume(llmTrace(now(), 2));
    expect(fake.spans()).toHaveLength(0);
    expect(
      await metric(settings, 'otelcol_exporter_opik_dead_lettered_items_total', { kind: 'span' }),
    ).toBe(3);
  });

  it('never lets a non-numeric usage string fail the batch: it moves to metadata', async () => {
    const fake = await fakeOpik();
    const { exporter, settings } = await startExporter(fake, { detect_id_overrides: false });
    await exporter.consume(
      llmTrace(now(), 0, {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'm',
        'gen_ai.usage.input_tokens': 'many',
        'gen_ai.usage.output_tokens': '7',
      }),
    );
    expect(fake.spans()[0]).toMatchObject({
      type: 'llm',
      usage: { completion_tokens: 7 },
      metadata: { 'opik.metadata': { 'gen_ai.usage.input_tokens': 'many' } },
    });
    expect(
      await metric(settings, 'otelcol_exporter_opik_adjusted_items_total', {
        reason: 'usage_not_an_integer',
      }),
    ).toBe(1);
    expect(fake.requestsTo('otlp')[0]!.status).toBe(200);
  });
});

describe('opik exporter failure matrix: request size', () => {
  /** `n` LLM spans whose input is `bytes` long, in one batch. */
  const heavy = (n: number, bytes: number) =>
    mergeTraces(
      Array.from({ length: n }, () => llmTrace(now(), 0, { 'input.value': 'x'.repeat(bytes) })),
    );
  const sizes = (fake: FakeOpik) =>
    fake.requests.map((r) => Number(r.headers['content-length'] ?? 0));

  it.each(['otlp', 'rest'] as const)(
    'splits a request Opik answers 413 (%s), and keeps later requests under the limit it stated',
    async (path) => {
      const fake = await fakeOpik({ maxRequestSizeBytes: 6000 });
      fake.otlpMissing = path === 'rest';
      const { exporter, settings } = await startExporter(fake, {
        detect_id_overrides: false,
        compression: 'none',
      });
      await exporter.consume(heavy(20, 500));
      await exporter.consume(heavy(20, 500));
      expect(fake.spans()).toHaveLength(40);
      expect(fake.traces()).toHaveLength(40);
      const refused = fake.requests.findIndex((r) => r.status === 413);
      expect(fake.requests.filter((r) => r.status === 413)).toHaveLength(1);
      const later = fake.requests.slice(refused + 1);
      expect(
        Math.max(...later.map((r) => Number(r.headers['content-length'] ?? 0))),
      ).toBeLessThanOrEqual(6000);
      expect(later.some((r) => r.route === (path === 'otlp' ? 'otlp' : 'spans'))).toBe(true);
      expect(await metric(settings, 'otelcol_exporter_opik_dead_lettered_items_total')).toBe(0);
    },
  );

  it('honours max_request_body_size: nothing larger is sent, a single span larger is dead-lettered', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'opik-dl-')), 'dead.jsonl');
    const fake = await fakeOpik();
    const { exporter, settings } = await startExporter(fake, {
      detect_id_overrides: false,
      compression: 'none',
      max_request_body_size: 4000,
      dead_letter: { path: file },
    });
    await exporter.consume(heavy(20, 500));
    await exporter.consume(heavy(1, 5000));
    expect(fake.spans()).toHaveLength(20);
    expect(Math.max(...sizes(fake))).toBeLessThanOrEqual(4000);
    expect(fake.requests.filter((r) => r.status === 413)).toHaveLength(0);
    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.kind)).toEqual(['trace', 'span']);
    expect(lines[1].reason).toMatch(
      /^HTTP 413: not sent: the body \(\d+ bytes as sent\) exceeds max_request_body_size \(4000 bytes\)$/,
    );
    expect(await metric(settings, 'otelcol_exporter_send_failed_spans_total')).toBe(1);
  });
});
