import type { AnyFactory, Kind } from './component/types.js';
import { loadConfig } from './config/load.js';
import { namedComponents } from './config/resolve.js';

/**
 * A component type this build knows, and how to load its factory. A factory's module (its config
 * schema and its code) is imported only when a configuration names its type, so a collector
 * does not carry the components it does not run.
 */
export interface BuiltinComponent {
  readonly kind: Kind;
  readonly type: string;
  readonly load: () => Promise<AnyFactory>;
}

/** Where each type's factory is, by kind, in the order `components` prints them. */
const LOADERS: Readonly<Record<Kind, Readonly<Record<string, () => Promise<AnyFactory>>>>> = {
  receiver: {
    otlp: async () => (await import('./receivers/otlp/factory.js')).otlpReceiverFactory,
    dify: async () => (await import('./receivers/dify/factory.js')).difyReceiverFactory,
    opik: async () => (await import('./receivers/opik/factory.js')).opikReceiverFactory,
    dify_queue: async () =>
      (await import('./receivers/dify-queue/factory.js')).difyQueueReceiverFactory,
  },
  processor: {
    memory_limiter: async () =>
      (await import('./processors/memory-limiter/factory.js')).memoryLimiterProcessorFactory,
    batch: async () => (await import('./processors/batch/factory.js')).batchProcessorFactory,
    genai: async () => (await import('./processors/genai/factory.js')).genAiProcessorFactory,
    attributes: async () =>
      (await import('./processors/attributes/factory.js')).attributesProcessorFactory,
    resource: async () =>
      (await import('./processors/resource/factory.js')).resourceProcessorFactory,
    filter: async () => (await import('./processors/filter/factory.js')).filterProcessorFactory,
    redaction: async () =>
      (await import('./processors/redaction/factory.js')).redactionProcessorFactory,
    probabilistic_sampler: async () =>
      (await import('./processors/probabilistic-sampler/factory.js'))
        .probabilisticSamplerProcessorFactory,
  },
  exporter: {
    opik: async () => (await import('./exporters/opik/factory.js')).opikExporterFactory,
    debug: async () => (await import('./exporters/debug/factory.js')).debugExporterFactory,
    file: async () => (await import('./exporters/file/factory.js')).fileExporterFactory,
    otlp: async () => (await import('./exporters/otlp/factory.js')).otlpGrpcExporterFactories[0],
    otlp_grpc: async () =>
      (await import('./exporters/otlp/factory.js')).otlpGrpcExporterFactories[1],
    otlphttp: async () =>
      (await import('./exporters/otlphttp/factory.js')).otlpHttpExporterFactories[0],
    otlp_http: async () =>
      (await import('./exporters/otlphttp/factory.js')).otlpHttpExporterFactories[1],
  },
  extension: {
    health_check: async () =>
      (await import('./extensions/health-check/factory.js')).healthCheckExtensionFactory,
    file_storage: async () =>
      (await import('./extensions/file-storage/factory.js')).fileStorageExtensionFactory,
    status: async () => (await import('./extensions/status/factory.js')).statusExtensionFactory,
    bearertokenauth: async () =>
      (await import('./extensions/bearertokenauth/factory.js')).bearerTokenAuthExtensionFactory,
    redis_storage: async () =>
      (await import('./extensions/redis-storage/factory.js')).redisStorageExtensionFactory,
  },
};

/** Every component type this build of the collector knows, in one list (`components` prints it). */
export const builtinComponents: readonly BuiltinComponent[] = Object.entries(LOADERS).flatMap(
  ([kind, types]) =>
    Object.entries(types).map(([type, load]) => ({ kind: kind as Kind, type, load })),
);

/** Every factory of this build, in the order of `builtinComponents`. */
export function loadBuiltinFactories(): Promise<AnyFactory[]> {
  return Promise.all(builtinComponents.map((b) => b.load()));
}

/**
 * The factories of the component types the configuration (`--config` files and `--set` flags)
 * names. When it cannot be read, or names a type this build does not know, every factory is
 * loaded: the command then reports the problem as it always has, known types listed.
 */
export async function loadFactoriesFor(
  configs: readonly string[],
  sets: readonly string[],
): Promise<AnyFactory[]> {
  let named: ReturnType<typeof namedComponents>;
  try {
    named = namedComponents(loadConfig(configs, sets));
  } catch {
    return loadBuiltinFactories();
  }
  if (!named.every((n) => Object.hasOwn(LOADERS[n.kind], n.type))) return loadBuiltinFactories();
  const keys = new Set(named.map((n) => `${n.kind}:${n.type}`));
  const wanted = builtinComponents.filter((b) => keys.has(`${b.kind}:${b.type}`));
  return Promise.all(wanted.map((b) => b.load()));
}
