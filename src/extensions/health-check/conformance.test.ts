import { describeComponent } from '../../testing/conformance.js';
import { healthCheckExtensionFactory } from './factory.js';

describeComponent(healthCheckExtensionFactory, { endpoint: '127.0.0.1:0' });
