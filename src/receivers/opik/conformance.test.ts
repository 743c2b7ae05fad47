import { describeComponent } from '../../testing/conformance.js';
import { opikReceiverFactory } from './factory.js';

describeComponent(opikReceiverFactory, { endpoint: '127.0.0.1:0' });
