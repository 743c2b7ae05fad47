import { describeComponent } from '../../testing/conformance.js';
import { memoryLimiterProcessorFactory } from './factory.js';

describeComponent(memoryLimiterProcessorFactory, { check_interval: '1s', limit_percentage: 90 });
