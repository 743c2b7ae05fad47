import { defineProcessorFactory } from '../../component/types.js';
import { mapSpans } from '../../pdata/map-spans.js';
import { defineProcessor } from '../../processorhelper/define-processor.js';
import { createDefaultConfig, type SamplerConfig, samplerConfigSchema } from './config.js';
import { traceDecision } from './decide.js';

/** `probabilistic_sampler`: keeps `sampling_percentage` of traces, each whole or not at all. */
export const probabilisticSamplerProcessorFactory = defineProcessorFactory<SamplerConfig>({
  type: 'probabilistic_sampler',
  stability: 'beta',
  configSchema: samplerConfigSchema,
  createDefaultConfig,
  create(settings, config, next) {
    const keep = traceDecision(config);
    const counted = settings.telemetry.counter(
      'otelcol_processor_probabilistic_sampler_count_traces_sampled_total',
      'Spans the probabilistic sampler decided on, by decision.',
      ['processor', 'sampled'],
    );
    const kept = counted.labels({ processor: settings.id, sampled: 'true' });
    const dropped = counted.labels({ processor: settings.id, sampled: 'false' });
    return defineProcessor(settings, next, {
      process: (traces) =>
        mapSpans(traces, ({ span }) => {
          if (keep(span.traceId)) {
            kept.inc();
            return span;
          }
          dropped.inc();
          return null;
        }),
    });
  },
});
