import { describeComponent } from '../../testing/conformance.js';
import { redactionProcessorFactory } from './factory.js';

describeComponent(redactionProcessorFactory, {
  allow_all_keys: true,
  builtin_patterns: ['emails'],
});
