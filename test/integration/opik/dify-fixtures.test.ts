/**
 * Every Dify fixture, converted by the real `dify` receiver mapping, through the `opik` exporter
 * into the fake Opik: what Opik stores is the same whether the OTLP path or the REST path
 * carried it, and sending everything twice changes nothing.
 */
import { existsSync } from 'node:fs';
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
import { comparable, startExporter } from './harness.js';

const fakes: FakeOpik[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

function converted(name: string): Traces {
  const hasNodes = existsSync(
    new URL(name.replace('.json', '.node_executions.json'), FIXTURES_DIR),
  );
  const item = hasNodes ? withNodes(name) : fixture(name);
  return convertBatch([{ value: item }]).traces;
}

const convertible = envelopeFixtures().filter((n) => spanCount(converted(n)) > 0);

async function storedOn(version: string, path: 'otlp' | 'rest', batches: readonly Traces[]) {
  const fake = await startFakeOpik({ version });
  fakes.push(fake);
  // The ingestion window is Opik Cloud's; the fixtures are from June, so it is off here.
  const { exporter } = await startExporter(fake, { ingestion_window: { check: false } });
  fake.otlpMissing = path === 'rest';
  for (const b of batches) await exporter.consume(b);
  await exporter.shutdown();
  return { traces: comparable(fake.traces()), spans: comparable(fake.spans()) };
}

describe.each([OPIK_2_1, OPIK_2_2])(
  'every Dify fixture through the opik exporter, on Opik %s',
  (version) => {
    const storedVia = (path: 'otlp' | 'rest', batches: readonly Traces[]) =>
      storedOn(version, path, batches);

    it('converts at least the fourteen fixtures that carry data', () => {
      expect(convertible.length).toBeGreaterThanOrEqual(14);
    });

    it.each(convertible)('%s: Opik stores the same objects via OTLP and via REST', async (name) => {
      const viaOtlp = await storedVia('otlp', [converted(name)]);
      const viaRest = await storedVia('rest', [converted(name)]);
      expect(viaOtlp.spans.length).toBeGreaterThan(0);
      expect(viaOtlp.spans).toEqual(viaRest.spans);
      expect(viaOtlp.traces).toEqual(viaRest.traces);
    });

    it('all fixtures sent twice leave the state they leave once', async () => {
      const all = convertible.map(converted);
      const once = await storedVia('otlp', all);
      const twice = await storedVia('otlp', [...all, ...all]);
      expect(twice.spans).toEqual(once.spans);
      expect(twice.traces).toEqual(once.traces);
    });
  },
);
