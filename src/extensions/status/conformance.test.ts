import { describeComponent } from '../../testing/conformance.js';
import { statusExtensionFactory } from './factory.js';

describeComponent(statusExtensionFactory, { endpoint: '127.0.0.1:0' });
