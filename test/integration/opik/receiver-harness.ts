import type { TracesConsumer } from '../../../src/component/types.js';
import { deepMerge } from '../../../src/config/merge.js';
import { opikReceiverFactory } from '../../../src/receivers/opik/factory.js';
import type { OpikReceiver } from '../../../src/receivers/opik/receiver.js';
import { testSettings } from '../../../src/testing/settings.js';
import type { FakeOpik } from '../../fake-opik/server.js';
import { startExporter } from './harness.js';

/** A started `opik` receiver feeding `next`, relaying to `relayTo` (if given). */
export async function startReceiver(
  next: TracesConsumer,
  overrides: Record<string, unknown> = {},
  relayTo?: FakeOpik,
) {
  const settings = testSettings('receiver', 'opik');
  const base = deepMerge(opikReceiverFactory.createDefaultConfig(), {
    endpoint: '127.0.0.1:0',
    relay: relayTo ? { endpoint: `${relayTo.url}/api` } : { enabled: false },
  });
  const config = opikReceiverFactory.configSchema.parse(deepMerge(base, overrides));
  const receiver = opikReceiverFactory.create(settings, config, next) as OpikReceiver;
  await receiver.start();
  return { receiver, settings, url: `http://${receiver.address}` };
}

/**
 * The collector in front of `fake`: the `opik` receiver straight into the `opik` exporter, the
 * receiver relaying everything else to the same Opik. `close` shuts both down (receiver first).
 */
export async function startCollector(
  fake: FakeOpik,
  exporterOverrides: Record<string, unknown> = {},
  receiverOverrides: Record<string, unknown> = {},
) {
  const exp = await startExporter(fake, exporterOverrides);
  const rec = await startReceiver(exp.exporter, receiverOverrides, fake);
  return {
    ...rec,
    exporter: exp.exporter,
    exporterSettings: exp.settings,
    async close() {
      await rec.receiver.shutdown();
      await exp.exporter.shutdown();
    },
  };
}
