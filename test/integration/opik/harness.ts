import { deepMerge } from '../../../src/config/merge.js';
import {
  createDefaultOpikConfig,
  type OpikConfig,
  opikConfigSchema,
} from '../../../src/exporters/opik/config.js';
import { createOpikExporter, type OpikExporterDeps } from '../../../src/exporters/opik/exporter.js';
import { encodeTracesRequest } from '../../../src/otlp/proto-codec.js';
import { capturingLogger } from '../../../src/testing/senders.js';
import { TestHost, testSettings } from '../../../src/testing/settings.js';
import { hostWithFileStorage } from '../../../src/testing/storage-host.js';
import type { FakeOpik } from '../../fake-opik/server.js';
import type { Row } from '../../fake-opik/store.js';

/** Tiny intervals so that retries and probes happen within a test, never fixed waits. */
export const FAST: Record<string, unknown> = {
  timeout: '2s',
  retry_on_failure: {
    initial_interval: '1ms',
    max_interval: '4ms',
    max_elapsed_time: '3s',
    randomization_factor: 0,
  },
  fallback: { probe_interval: '1h' },
};

export function opikConfig(fake: FakeOpik, overrides: Record<string, unknown> = {}): OpikConfig {
  const merged = deepMerge(
    deepMerge(createDefaultOpikConfig(overrides), { endpoint: `${fake.url}/api`, ...FAST }),
    overrides,
  );
  return opikConfigSchema.parse(merged);
}

/** A host whose `file_storage` extension keeps its files in `directory` (started). */
export async function storageHost(
  directory: string,
): Promise<TestHost & { stop(): Promise<void> }> {
  const { host, storage } = await hostWithFileStorage(directory);
  return Object.assign(host, { stop: () => storage.shutdown() });
}

/** A started exporter against `fake`, with its settings (metrics) and host (health reports). */
export async function startExporter(
  fake: FakeOpik,
  overrides: Record<string, unknown> = {},
  deps: Partial<OpikExporterDeps> = {},
  host = new TestHost(),
) {
  const { logger, lines } = capturingLogger();
  const settings = { ...testSettings('exporter', 'opik'), logger };
  const exporter = createOpikExporter(settings, opikConfig(fake, overrides), {
    encode: encodeTracesRequest,
    ...deps,
  });
  await exporter.start(host);
  const logged = (msg: string) => lines.filter((l) => l.msg === msg).length;
  return { exporter, settings, host, lines, logged };
}

/** A metric's value for the given labels (0 when never touched). */
export async function metric(
  settings: Pick<ReturnType<typeof testSettings>, 'telemetry'>,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const m = settings.telemetry.registry.getSingleMetric(name);
  if (!m) return 0;
  const { values } = await m.get();
  const hit = values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return hit?.value ?? 0;
}

/** Stored rows without the fields that legitimately differ between writes. */
export function comparable(rows: readonly Row[]): Record<string, unknown>[] {
  return rows.map(({ last_updated_at: _ignored, ...rest }) => rest);
}
