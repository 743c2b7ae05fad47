/**
 * An Opik object through the collector, field for field: the `opik` receiver's span (to-span.ts)
 * turned back by the `opik` exporter (received-objects.ts) into the JSON it sends Opik. Numbers
 * keep their literals (Opik stores `1.0` as a double), times their sub-millisecond digits.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  receivedObject,
  takeReceivedObjects,
} from '../../../src/exporters/opik/received-objects.js';
import { toJson } from '../../../src/exporters/opik/values.js';
import { makeTraces } from '../../../src/pdata/span.js';
import type { Span } from '../../../src/pdata/traces.js';
import { type ReceivedItem, readBatch, readSingle } from '../../../src/receivers/opik/items.js';
import { parseLossless } from '../../../src/receivers/opik/lossless-json.js';
import { toSpan } from '../../../src/receivers/opik/to-span.js';
import { type FakeOpik, startFakeOpik } from '../../fake-opik/server.js';
import { OPIK_2_1, OPIK_2_2 } from '../../fake-opik/version.js';
import { startExporter } from './harness.js';

const TRACE = '019ad8f1-3a40-7000-8000-000000000001';
const SPAN = '019ad8f1-3a40-7000-8000-000000000002';
const PARENT = '019ad8f1-3a40-7000-8000-000000000003';
const newId = () => '019ad8f1-3a40-7fff-8000-00000000ffff';

function spansOf(entity: 'trace' | 'span', body: string): Span[] {
  const items = readBatch(parseLossless(body), entity, newId) as ReceivedItem[];
  return items.map((it) => toSpan(it, 0n));
}

const written = (span: Span) => {
  const o = receivedObject(span, 'Exporter Project')!;
  return o.write === 'update' ? toJson(o.body) : toJson(o.item as never);
};

describe('an Opik object through the opik receiver and the opik exporter', () => {
  it('a trace comes back as the same JSON (times normalised to UTC, as Opik stores them)', () => {
    const [span] = spansOf(
      'trace',
      `{"traces": [{"id": "${TRACE}", "project_name": "p", "name": "run", "start_time": "2026-06-12T16:30:01.123456+08:00", "end_time": "2026-06-12T08:30:07.9Z", "input": "plain text", "output": [{"a": 1.0}], "metadata": {"big": 12345678901234567890, "f": 1.0, "s": "\\u5e74"}, "tags": ["a", "b"], "error_info": {"exception_type": "E", "traceback": "tb"}, "last_updated_at": "2026-06-12T08:30:13.377938Z", "ttft": 12.5, "thread_id": "t", "source": "experiment", "environment": "prod", "usage": {"ignored": 1}}]}`,
    );
    expect(written(span!)).toBe(
      `{"id":"${TRACE}","project_name":"p","name":"run","start_time":"2026-06-12T08:30:01.123456Z","end_time":"2026-06-12T08:30:07.900Z","input":"plain text","output":[{"a":1.0}],"metadata":{"big":12345678901234567890,"f":1.0,"s":"年"},"tags":["a","b"],"error_info":{"exception_type":"E","traceback":"tb"},"thread_id":"t","last_updated_at":"2026-06-12T08:30:13.377938Z","ttft":12.5,"source":"experiment","environment":"prod"}`,
    );
  });

  it('a span comes back with its usage keys, model, provider, cost and parent', () => {
    const [span] = spansOf(
      'span',
      `{"spans": [{"id": "${SPAN}", "trace_id": "${TRACE}", "parent_span_id": "${PARENT}", "name": "LLM", "type": "llm", "start_time": "2026-06-12T08:30:01Z", "model": "", "provider": "langgenius/openai/openai", "usage": {"completion_tokens": 218, "prompt_tokens": 1245, "total_tokens": 1463, "original_usage.prompt_tokens": 1245}, "total_estimated_cost": 0.0042, "total_estimated_cost_version": "v1"}]}`,
    );
    expect(written(span!)).toBe(
      `{"id":"${SPAN}","project_name":"Exporter Project","trace_id":"${TRACE}","parent_span_id":"${PARENT}","name":"LLM","type":"llm","start_time":"2026-06-12T08:30:01Z","model":"","provider":"langgenius/openai/openai","usage":{"completion_tokens":218,"prompt_tokens":1245,"total_tokens":1463,"original_usage.prompt_tokens":1245},"total_estimated_cost":0.0042,"total_estimated_cost_version":"v1"}`,
    );
  });

  it('an update comes back as the same partial object, for a PATCH', () => {
    const item = readSingle(
      parseLossless(`{"trace_id": "${TRACE}", "output": {"x": 1.50}, "tags_to_add": ["late"]}`),
      { entity: 'span', update: true },
      SPAN,
      newId,
    ) as ReceivedItem;
    const object = receivedObject(toSpan(item, 5n), 'P')!;
    expect(object).toMatchObject({ write: 'update', entity: 'span', id: SPAN });
    expect(written(toSpan(item, 5n))).toBe(
      `{"project_name":"Exporter Project","output":{"x":1.50},"tags_to_add":["late"],"trace_id":"${TRACE}"}`,
    );
  });

  it('attributes a processor added join the metadata; the rest of the batch is left to the canonical mapping', () => {
    const [span] = spansOf(
      'trace',
      `{"traces": [{"id": "${TRACE}", "start_time": "2026-06-12T08:30:01Z", "metadata": {"a": 1}}]}`,
    );
    const added = {
      ...span!,
      attributes: [...span!.attributes, { key: 'deployment', value: 'eu' }],
    };
    expect(written(added)).toContain('"metadata":{"a":1,"deployment":"eu"}');
    const other = { ...span!, attributes: [] };
    const { received, rest } = takeReceivedObjects(makeTraces([added, other]), 'P');
    expect(received).toHaveLength(1);
    expect(rest.resourceSpans[0]!.scopeSpans[0]!.spans).toEqual([other]);
  });
});

describe('the opik exporter with received Opik objects', () => {
  const fakes: FakeOpik[] = [];
  afterEach(async () => {
    await Promise.all(fakes.splice(0).map((f) => f.stop()));
  });

  const orphan = () =>
    spansOf(
      'span',
      `{"spans": [{"id": "${SPAN}", "trace_id": "${TRACE}", "name": "moderation", "type": "tool", "start_time": "2026-12-01T09:00:01.5Z", "project_name": "Dify Demo"}]}`,
    );

  it('writes them through REST on the OTLP path, and never a stand-in trace for a span whose trace is elsewhere', async () => {
    const fake = await startFakeOpik();
    fakes.push(fake);
    // A memory queue: ids are assigned before it, which must leave these spans' own ids alone.
    const { exporter } = await startExporter(fake, { sending_queue: { enabled: true } });
    await exporter.consume(makeTraces(orphan()));
    await exporter.shutdown();
    expect(fake.spans('Dify Demo')).toEqual([
      expect.objectContaining({
        id: SPAN,
        trace_id: TRACE,
        type: 'tool',
        start_time: '2026-12-01T09:00:01.500Z',
      }),
    ]);
    expect(fake.traces('Dify Demo')).toEqual([]);
    expect(
      fake.requestsTo('spans').map((r) => JSON.parse(r.body.toString()).spans[0].id),
    ).toContain(SPAN);
  });

  it.each([
    [OPIK_2_1, 'writes it as it came'],
    [OPIK_2_2, 'dead-letters it with Opik’s reason'],
  ])(
    'a received span whose trace id is not a UUIDv7: Opik %s takes it, so the exporter %s',
    async (version) => {
      const fake = await startFakeOpik({ version });
      fakes.push(fake);
      const file = join(mkdtempSync(join(tmpdir(), 'dl-')), 'dead.jsonl');
      const { exporter } = await startExporter(fake, { dead_letter: { path: file } });
      const v4Trace = '6f1e8a52-3c1d-4b7e-9a0f-2d4c6e8a0b1c';
      const [span] = spansOf(
        'span',
        `{"spans": [{"id": "${SPAN}", "trace_id": "${v4Trace}", "name": "tool", "type": "tool", "start_time": "2026-12-01T09:00:01.5Z", "project_name": "Dify Demo"}]}`,
      );
      await exporter.consume(makeTraces([span!]));
      await exporter.shutdown();
      if (version === OPIK_2_1) {
        expect(fake.spans('Dify Demo')).toEqual([
          expect.objectContaining({ id: SPAN, trace_id: v4Trace }),
        ]);
        return;
      }
      expect(fake.spans('Dify Demo')).toEqual([]);
      expect(JSON.parse(readFileSync(file, 'utf8').trim())).toMatchObject({
        kind: 'span',
        reason: expect.stringContaining('Span trace id must be a version 7 UUID'),
        item: { id: SPAN, trace_id: v4Trace },
      });
    },
  );

  it('dead-letters an update Opik refuses for good as span_update', async () => {
    const fake = await startFakeOpik();
    fakes.push(fake);
    const file = join(mkdtempSync(join(tmpdir(), 'dl-')), 'dead.jsonl');
    const { exporter } = await startExporter(fake, { dead_letter: { path: file } });
    await exporter.consume(makeTraces(orphan()));
    const update = readSingle(
      parseLossless(
        `{"trace_id": "${PARENT}", "project_name": "Dify Demo", "output": {"late": true}}`,
      ),
      { entity: 'span', update: true },
      SPAN,
      newId,
    ) as ReceivedItem;
    await exporter.consume(makeTraces([toSpan(update, 0n)]));
    await exporter.shutdown();
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      expect.objectContaining({
        kind: 'span_update',
        reason: expect.stringContaining('trace_id does not match the existing span'),
        item: { project_name: 'Dify Demo', output: { late: true }, trace_id: PARENT },
      }),
    ]);
  });
});
