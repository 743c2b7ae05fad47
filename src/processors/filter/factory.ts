import { defineProcessorFactory } from '../../component/types.js';
import { mapSpans } from '../../pdata/map-spans.js';
import { defineProcessor } from '../../processorhelper/define-processor.js';
import { compileMatcher } from '../../processorhelper/span-matcher.js';
import { createDefaultConfig, type FilterConfig, filterConfigSchema, validate } from './config.js';

/** `filter`: drops spans by name, service, kind, status, attributes, resource or library. */
export const filterProcessorFactory = defineProcessorFactory<FilterConfig>({
  type: 'filter',
  stability: 'beta',
  configSchema: filterConfigSchema,
  createDefaultConfig,
  validate,
  create(settings, config, next) {
    const include = config.spans.include ? compileMatcher(config.spans.include) : undefined;
    const exclude = config.spans.exclude ? compileMatcher(config.spans.exclude) : undefined;
    const filtered = settings.telemetry
      .counter(
        'otelcol_processor_filter_spans_filtered_total',
        'Spans dropped by the filter processor.',
        ['processor', 'pipeline'],
      )
      .labels({ processor: settings.id, pipeline: settings.pipelineId ?? '' });
    return defineProcessor(settings, next, {
      process(traces) {
        let dropped = 0;
        const out = mapSpans(traces, (ctx) => {
          const keep = (!include || include(ctx)) && !exclude?.(ctx);
          if (!keep) dropped++;
          return keep ? ctx.span : null;
        });
        if (dropped > 0) filtered.inc(dropped);
        return out;
      },
    });
  },
});
