/**
 * The exporter against each Opik version the fake plays: whatever the version, on either path,
 * Opik stores the same objects, with the same metadata keys; the version Opik reports is what
 * makes that so; an unknown or newer version gets the newest known encoding and one warning.
 */
import { existsSync } from 'node:fs';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { spanCount } from '../../../src/pdata/count.js';
import type { Traces } from '../../../src/pdata/traces.js';
import { convertBatch } from '../../../src/receivers/dify/batch.js';
import {
  envelopeFixtures,
  FIXTURES_DIR,
  fixture,
  withNodes,
} from '../../../src/receivers/dify/test-fixtures.js';
import { type FakeOpik, startFakeOpik } from '../../fake-opik/server.js';
import { OPIK_2_1, OPIK_2_2 } from '../../fake-opik/version.js';
import { recordAgentRun, sdkTracer, toTraces } from '../../support/sdk-spans.js';
import { comparable, startExporter } from './harness.js';

const fakes: FakeOpik[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

const difyBatches = envelopeFixtures()
  .map((name) => {
    const nodes = new URL(name.replace('.json', '.node_executions.json'), FIXTURES_DIR);
    return convertBatch([{ value: existsSync(nodes) ? withNodes(name) : fixture(name) }]).traces;
  })
  .filter((t) => spanCount(t) > 0);
const sdkBatches = (() => {
  const exporter = new InMemorySpanExporter();
  recordAgentRun(sdkTracer(exporter).tracer, Date.parse('2026-11-20T10:00:00.000Z'));
  return exporter.getFinishedSpans().map((s) => toTraces([s]));
})();
const ALL: readonly Traces[] = [...difyBatches, ...sdkBatches];

interface Run {
  readonly version: string;
  readonly path: 'otlp' | 'rest';
  /** What the fake answers at /is-alive/ver, when it is not its version (undefined: no answer). */
  readonly reports?: string | null;
}

async function stored(run: Run) {
  const fake = await startFakeOpik({ version: run.version });
  fakes.push(fake);
  if (run.reports === null) fake.fail('version', { status: 404, body: { code: 404 } }, 100);
  else if (run.reports !== undefined) fake.reportedVersion = run.reports;
  const { exporter, lines } = await startExporter(fake, { ingestion_window: { check: false } });
  fake.otlpMissing = run.path === 'rest';
  for (const b of ALL) await exporter.consume(b);
  await exporter.shutdown();
  const spans = comparable(fake.spans());
  return {
    traces: comparable(fake.traces()),
    spans,
    metadataKeys: spans.map((s) => Object.keys((s.metadata as object) ?? {}).sort()),
    otlpOk: fake.requestsTo('otlp').filter((r) => r.status === 200).length,
    warnings: lines
      .filter((l) => l.level === 40 && /version/.test(String(l.msg)))
      .map((l) => l.msg),
  };
}

describe('opik exporter: one object on every Opik version', () => {
  it('stores the same objects and metadata keys on 2.1.23 and 2.2.122, via OTLP and via REST', async () => {
    const runs = await Promise.all(
      [OPIK_2_1, OPIK_2_2].flatMap((version) =>
        (['otlp', 'rest'] as const).map((path) => stored({ version, path })),
      ),
    );
    const [first, ...rest] = runs;
    expect(first!.spans.length).toBeGreaterThan(30);
    for (const r of rest) {
      expect(r.metadataKeys).toEqual(first!.metadataKeys);
      expect(r.spans).toEqual(first!.spans);
      expect(r.traces).toEqual(first!.traces);
    }
    expect(runs.map((r) => r.otlpOk > 0)).toEqual([true, false, true, false]);
    expect(runs.flatMap((r) => r.warnings)).toEqual([]);
  });

  it('writes what the reported version stores: a 2.2 that says it is 2.1 stores other objects', async () => {
    const truth = await stored({ version: OPIK_2_2, path: 'otlp' });
    const lied = await stored({ version: OPIK_2_2, path: 'otlp', reports: OPIK_2_1 });
    expect(lied.spans).not.toEqual(truth.spans);
    const llm = lied.spans.find((s) => s.name === 'chat gpt-4.1-mini')!;
    expect(Object.keys(llm.input as object)).toEqual(['value']); // 2.2 stripped `input.value`
  });

  it.each([
    [
      'a newer version',
      '2.3.0',
      'Opik is newer than the newest version this collector knows; attributes are written as for that one',
    ],
    [
      'no version at all',
      null,
      'Opik did not tell its version (GET /is-alive/ver); attributes are written as for the newest Opik this collector knows',
    ],
  ])(
    'writes for the newest known version, warning once, when Opik reports %s',
    async (_what, reports, warning) => {
      const expected = await stored({ version: OPIK_2_2, path: 'otlp' });
      const got = await stored({ version: OPIK_2_2, path: 'otlp', reports });
      expect(got.spans).toEqual(expected.spans);
      expect(got.warnings).toEqual([warning]);
    },
  );
});
