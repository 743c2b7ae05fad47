import { defineProcessorFactory } from '../../component/types.js';
import { mapSpans } from '../../pdata/map-spans.js';
import { compileAttributeActions } from '../../processorhelper/attribute-actions.js';
import { defineProcessor } from '../../processorhelper/define-processor.js';
import { compileMatcher, type SpanPredicate } from '../../processorhelper/span-matcher.js';
import {
  type AttributesConfig,
  attributesConfigSchema,
  createDefaultConfig,
  validate,
} from './config.js';

/** `attributes`: insert, update, upsert, delete, hash, extract or convert span attributes. */
export const attributesProcessorFactory = defineProcessorFactory<AttributesConfig>({
  type: 'attributes',
  stability: 'beta',
  configSchema: attributesConfigSchema,
  createDefaultConfig,
  validate,
  create(settings, config, next) {
    const apply = compileAttributeActions(config.actions);
    const include: SpanPredicate = config.include ? compileMatcher(config.include) : () => true;
    const exclude: SpanPredicate = config.exclude ? compileMatcher(config.exclude) : () => false;
    return defineProcessor(settings, next, {
      process: (traces) =>
        mapSpans(traces, (ctx) => {
          if (!include(ctx) || exclude(ctx)) return ctx.span;
          const attributes = apply(ctx.span.attributes);
          return attributes === ctx.span.attributes ? ctx.span : { ...ctx.span, attributes };
        }),
    });
  },
});
