import { describeComponent } from '../../testing/conformance.js';
import { filterProcessorFactory } from './factory.js';

describeComponent(filterProcessorFactory, {
  spans: { exclude: { match_type: 'strict', span_names: ['x'] } },
});
