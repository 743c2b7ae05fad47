import { describeComponent } from '../../testing/conformance.js';
import { batchProcessorFactory } from './factory.js';

describeComponent(batchProcessorFactory);
