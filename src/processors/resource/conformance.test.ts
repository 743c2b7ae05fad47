import { describeComponent } from '../../testing/conformance.js';
import { resourceProcessorFactory } from './factory.js';

describeComponent(resourceProcessorFactory, {
  attributes: [{ key: 'env', action: 'upsert', value: 'test' }],
});
