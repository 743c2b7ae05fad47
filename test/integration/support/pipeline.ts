import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import {
  type AnyFactory,
  defineExporterFactory,
  defineReceiver,
  type TracesConsumer,
} from '../../../src/component/types.js';
import { loadBuiltinFactories } from '../../../src/components.js';
import { loadConfig } from '../../../src/config/load.js';
import { type ResolvedConfig, resolveConfig } from '../../../src/config/resolve.js';
import type { Traces } from '../../../src/pdata/traces.js';
import { type Collector, startCollector } from '../../../src/service/collector.js';
import { silentLogger } from '../../../src/telemetry/logger.js';

const builtinFactories = await loadBuiltinFactories();

/** What the test doubles below expose to a test, by component id. */
export const heads = new Map<string, TracesConsumer>();
export interface SinkState {
  readonly batches: Traces[];
  /** When set, `consume` rejects with it. */
  fail?: unknown;
  /** When set, `shutdown` waits for it. */
  release?: Promise<void>;
}
export const sinks = new Map<string, SinkState>();

/**
 * `capture`: a receiver with no wire protocol; the test feeds the pipeline through `heads`.
 * `sink`: an exporter that keeps what it gets, or fails as the test tells it (`SinkState`).
 */
const testFactories: AnyFactory[] = [
  defineReceiver({
    type: 'capture',
    stability: 'development',
    configSchema: z.strictObject({}),
    createDefaultConfig: () => ({}),
    create: (settings, _config, next) => ({
      start: async () => {
        heads.set(settings.id, next);
      },
      shutdown: async () => {
        heads.delete(settings.id);
      },
    }),
  }),
  defineExporterFactory({
    type: 'sink',
    stability: 'development',
    configSchema: z.strictObject({}),
    createDefaultConfig: () => ({}),
    create: (settings) => {
      const state: SinkState = { batches: [] };
      sinks.set(settings.id, state);
      return {
        start: async () => {},
        shutdown: async () => {
          await state.release;
        },
        consume: async (traces) => {
          if (state.fail !== undefined) throw state.fail;
          state.batches.push(traces);
        },
      };
    },
  }),
];

export const factories: readonly AnyFactory[] = [...builtinFactories, ...testFactories];

/** Resolves a YAML config with the built-in components and the doubles above. */
export function resolveYaml(yaml: string): ResolvedConfig {
  const file = join(mkdtempSync(join(tmpdir(), 'integration-')), 'collector.yaml');
  writeFileSync(file, yaml);
  return resolveConfig(loadConfig([file]), factories, {});
}

export function startYaml(yaml: string): Promise<Collector> {
  return startCollector(resolveYaml(yaml), silentLogger());
}

/** The started component with this kind and id. */
export function componentOf<T>(collector: Collector, kind: string, id: string): T {
  const node = collector.graph.nodes.find((n) => n.kind === kind && n.id === id);
  if (!node) throw new Error(`no ${kind} "${id}" in the graph`);
  return node.component as T;
}
