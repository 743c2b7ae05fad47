import { defineProcessorFactory } from '../../component/types.js';
import { mapSpans } from '../../pdata/map-spans.js';
import { defineProcessor } from '../../processorhelper/define-processor.js';
import { createDefaultConfig, type GenAiConfig, genAiConfigSchema } from './config.js';
import { normalizeSpan } from './normalize.js';

/**
 * `genai`: rewrites the GenAI vocabularies of OpenInference, OpenLLMetry, the Vercel AI SDK, old
 * and new OTel GenAI names and Dify's Phoenix/Aliyun/Tencent providers into the collector's
 * canonical attributes, so Opik shows type, model, provider, usage, messages, tags and thread.
 */
export const genAiProcessorFactory = defineProcessorFactory<GenAiConfig>({
  type: 'genai',
  stability: 'alpha',
  configSchema: genAiConfigSchema,
  createDefaultConfig,
  create: (settings, config, next) =>
    defineProcessor(settings, next, {
      process: (traces) => mapSpans(traces, (ctx) => normalizeSpan(ctx, config)),
    }),
});
