import { describeComponent } from '../../testing/conformance.js';
import { genAiProcessorFactory } from './factory.js';

describeComponent(genAiProcessorFactory);
