import { defineProcessorFactory } from '../../component/types.js';
import { createDefaultConfig, type GenAiConfig, genAiConfigSchema } from './config.js';
import { GenAiProcessor } from './processor.js';

/**
 * `genai`: rewrites the GenAI vocabularies of OpenInference, OpenLLMetry, the Vercel AI SDK, old
 * and new OTel GenAI names and Dify's Phoenix/Aliyun/Tencent providers into the collector's
 * canonical attributes, so Opik shows type, model, provider, usage, messages, tags and thread;
 * Dify's Phoenix and Aliyun spans are rebuilt from Dify's ids, as the `dify` receiver builds them.
 */
export const genAiProcessorFactory = defineProcessorFactory<GenAiConfig>({
  type: 'genai',
  stability: 'alpha',
  configSchema: genAiConfigSchema,
  createDefaultConfig,
  extensions: (c) =>
    c.dify_hold.storage ? [{ key: 'dify_hold::storage', id: c.dify_hold.storage }] : [],
  create: (settings, config, next) => new GenAiProcessor(settings, config, next),
});
