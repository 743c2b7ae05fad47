import { describeComponent } from '../../testing/conformance.js';
import { probabilisticSamplerProcessorFactory } from './factory.js';

describeComponent(probabilisticSamplerProcessorFactory, { sampling_percentage: 100 });
