import type { AnyFactory } from './component/types.js';
import { opikExporterFactory } from './exporters/opik/factory.js';
import { difyReceiverFactory } from './receivers/dify/factory.js';
import { otlpReceiverFactory } from './receivers/otlp/factory.js';

/** Every component type this build of the collector knows, in one list (`components` prints it). */
export const builtinFactories: readonly AnyFactory[] = [
  otlpReceiverFactory,
  difyReceiverFactory,
  opikExporterFactory,
];
