import type { AnyFactory } from './component/types.js';
import { debugExporterFactory } from './exporters/debug/factory.js';
import { fileExporterFactory } from './exporters/file/factory.js';
import { opikExporterFactory } from './exporters/opik/factory.js';
import { otlpGrpcExporterFactories } from './exporters/otlp/factory.js';
import { otlpHttpExporterFactories } from './exporters/otlphttp/factory.js';
import { bearerTokenAuthExtensionFactory } from './extensions/bearertokenauth/factory.js';
import { fileStorageExtensionFactory } from './extensions/file-storage/factory.js';
import { healthCheckExtensionFactory } from './extensions/health-check/factory.js';
import { redisStorageExtensionFactory } from './extensions/redis-storage/factory.js';
import { statusExtensionFactory } from './extensions/status/factory.js';
import { attributesProcessorFactory } from './processors/attributes/factory.js';
import { batchProcessorFactory } from './processors/batch/factory.js';
import { filterProcessorFactory } from './processors/filter/factory.js';
import { genAiProcessorFactory } from './processors/genai/factory.js';
import { memoryLimiterProcessorFactory } from './processors/memory-limiter/factory.js';
import { probabilisticSamplerProcessorFactory } from './processors/probabilistic-sampler/factory.js';
import { redactionProcessorFactory } from './processors/redaction/factory.js';
import { resourceProcessorFactory } from './processors/resource/factory.js';
import { difyReceiverFactory } from './receivers/dify/factory.js';
import { difyQueueReceiverFactory } from './receivers/dify-queue/factory.js';
import { opikReceiverFactory } from './receivers/opik/factory.js';
import { otlpReceiverFactory } from './receivers/otlp/factory.js';

/** Every component type this build of the collector knows, in one list (`components` prints it). */
export const builtinFactories: readonly AnyFactory[] = [
  otlpReceiverFactory,
  difyReceiverFactory,
  opikReceiverFactory,
  difyQueueReceiverFactory,
  memoryLimiterProcessorFactory,
  batchProcessorFactory,
  genAiProcessorFactory,
  attributesProcessorFactory,
  resourceProcessorFactory,
  filterProcessorFactory,
  redactionProcessorFactory,
  probabilisticSamplerProcessorFactory,
  opikExporterFactory,
  debugExporterFactory,
  fileExporterFactory,
  ...otlpGrpcExporterFactories,
  ...otlpHttpExporterFactories,
  healthCheckExtensionFactory,
  fileStorageExtensionFactory,
  statusExtensionFactory,
  bearerTokenAuthExtensionFactory,
  redisStorageExtensionFactory,
];
