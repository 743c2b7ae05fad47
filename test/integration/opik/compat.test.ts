/**
 * The Collector's behaviour where users carry their habits over: a `sending_queue` block turns the
 * queue on; refused credentials keep the data (queue) whatever `max_elapsed_time` says.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeOpik, startFakeOpik } from '../../fake-opik/server.js';
import { metric, startExporter, storageHost } from './harness.js';
import { llmTrace } from './spans.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});
async function fakeOpik(...args: Parameters<typeof startFakeOpik>): Promise<FakeOpik> {
  const fake = await startFakeOpik(...args);
  cleanup.push(() => fake.stop());
  return fake;
}
async function withStorage() {
  const host = await storageHost(mkdtempSync(join(tmpdir(), 'compat-')));
  cleanup.push(() => host.stop());
  return host;
}
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

describe('opik exporter: the Collector’s sending_queue and credential semantics', () => {
  it('turns the queue on for a sending_queue block without enabled: Opik down, the batch is still taken at once', async () => {
    const fake = await fakeOpik();
    fake.down = true;
    const host = await withStorage();
    const { exporter } = await startExporter(
      fake,
      { detect_id_overrides: false, sending_queue: { storage: 'file_storage' } },
      {},
      host,
    );
    cleanup.push(() => exporter.shutdown());
    await exporter.consume(llmTrace(Date.now())); // would retry for max_elapsed_time without a queue
    expect(fake.spans()).toHaveLength(0);
    fake.down = false;
    await until(() => fake.spans().length === 3);
  });

  it('holds data refused with 401 in the queue past max_elapsed_time, dead-letters nothing, and delivers it once the key works', async () => {
    const fake = await fakeOpik({ auth: { mode: 'cloud', keys: { k: ['acme'] } } });
    const host = await withStorage();
    const { exporter, settings } = await startExporter(
      fake,
      {
        detect_id_overrides: false,
        api_key: 'k',
        workspace: 'acme',
        retry_on_failure: { max_elapsed_time: '10ms', max_interval: '4ms' },
        sending_queue: { storage: 'file_storage' },
      },
      {},
      host,
    );
    cleanup.push(() => exporter.shutdown());
    const refused = {
      status: 401,
      body: { code: 401, message: 'User not allowed to access workspace!' },
    };
    fake.fail('any', refused, 40);
    await exporter.consume(llmTrace(Date.now()));
    await until(() => fake.requests.filter((r) => r.status === 401).length >= 40);
    await until(() => fake.spans('Default Project').length === 3);
    expect(await metric(settings, 'otelcol_exporter_opik_dead_lettered_items_total')).toBe(0);
    expect(await metric(settings, 'otelcol_exporter_dead_lettered_spans_total')).toBe(0);
    // The recovery is reported once the delivery that succeeded has been counted.
    await until(() => host.reports.length === 2);
    expect(host.reports.map((r) => r.state)).toEqual(['degraded', 'ok']);
  });
});
