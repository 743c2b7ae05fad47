import { defineProcessorFactory } from '../../component/types.js';
import { mapResources } from '../../pdata/map-spans.js';
import { compileAttributeActions } from '../../processorhelper/attribute-actions.js';
import { defineProcessor } from '../../processorhelper/define-processor.js';
import {
  createDefaultConfig,
  type ResourceConfig,
  resourceConfigSchema,
  validate,
} from './config.js';

/** `resource`: the same actions as `attributes`, applied to resource attributes. */
export const resourceProcessorFactory = defineProcessorFactory<ResourceConfig>({
  type: 'resource',
  stability: 'beta',
  configSchema: resourceConfigSchema,
  createDefaultConfig,
  validate,
  create(settings, config, next) {
    const apply = compileAttributeActions(config.attributes);
    return defineProcessor(settings, next, {
      process: (traces) =>
        mapResources(traces, (resource) => {
          const attributes = apply(resource.attributes);
          return attributes === resource.attributes ? resource : { ...resource, attributes };
        }),
    });
  },
});
