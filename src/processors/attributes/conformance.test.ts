import { describeComponent } from '../../testing/conformance.js';
import { attributesProcessorFactory } from './factory.js';

describeComponent(attributesProcessorFactory, {
  actions: [{ key: 'env', action: 'upsert', value: 'test' }],
});
