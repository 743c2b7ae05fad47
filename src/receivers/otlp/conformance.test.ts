import { describeComponent } from '../../testing/conformance.js';
import { otlpReceiverFactory } from './factory.js';

describeComponent(otlpReceiverFactory, {
  protocols: { http: { endpoint: '127.0.0.1:0' }, grpc: { endpoint: '127.0.0.1:0' } },
});
