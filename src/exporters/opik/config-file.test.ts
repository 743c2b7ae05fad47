import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.js';
import { resolveConfig } from '../../config/resolve.js';
import { testFactories } from '../../config/testdata/factories.js';
import { opikExporterFactory } from './factory.js';

const file = fileURLToPath(new URL('./testdata/config.yaml', import.meta.url));
const factories = [...testFactories.filter((f) => f.type !== 'opik'), opikExporterFactory];

describe('opik exporter in a collector.yaml', () => {
  it('reads the issue’s example with the Opik SDK environment variables and their defaults', () => {
    const resolved = resolveConfig(loadConfig([file]), factories, { OPIK_API_KEY: 'k-123' });
    expect(resolved.components.get('exporter:opik')?.config).toMatchObject({
      endpoint: 'http://localhost:5173/api',
      api_key: 'k-123',
      workspace: 'default',
      project_name: 'Default Project',
    });
    expect(resolved.components.get('exporter:opik/cloud')?.config).toMatchObject({
      endpoint: 'https://www.comet.com/opik/api',
      timeout: 10_000,
      retry_on_failure: { max_elapsed_time: 0, initial_interval: 5000 },
      fallback: { enabled: true, switch_after_failures: 5, probe_interval: 60_000 },
      dead_letter: { directory: '/var/lib/dify-opik-collector' },
    });
  });

  it('takes the environment over the defaults', () => {
    const resolved = resolveConfig(loadConfig([file]), factories, {
      OPIK_API_KEY: 'k',
      OPIK_URL_OVERRIDE: 'https://opik.internal/opik/api',
      OPIK_PROJECT_NAME: 'Dify',
    });
    expect(resolved.components.get('exporter:opik')?.config).toMatchObject({
      endpoint: 'https://opik.internal/opik/api',
      project_name: 'Dify',
    });
  });
});
