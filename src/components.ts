import type { AnyFactory } from './component/types.js';
import { debugExporterFactory } from './exporters/debug/factory.js';
import { healthCheckExtensionFactory } from './extensions/health-check/factory.js';
import { batchProcessorFactory } from './processors/batch/factory.js';

/** Every component type this build of the collector knows, in one list (`components` prints it). */
export const builtinFactories: readonly AnyFactory[] = [
  batchProcessorFactory,
  debugExporterFactory,
  healthCheckExtensionFactory,
];
