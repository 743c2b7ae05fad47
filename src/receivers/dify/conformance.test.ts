import { describeComponent } from '../../testing/conformance.js';
import { difyReceiverFactory } from './factory.js';

describeComponent(difyReceiverFactory, { endpoint: '127.0.0.1:0' });
