import { defaultRetryOnFailure } from '../../exporterhelper/config.js';
import { describeComponent } from '../../testing/conformance.js';
import { otlpGrpcExporterFactories } from './factory.js';

// Nothing listens on port 1: the queued batch fails at once (no retries) and is dropped at shutdown.
for (const factory of otlpGrpcExporterFactories) {
  describeComponent(factory, {
    endpoint: '127.0.0.1:1',
    tls: { insecure: true },
    retry_on_failure: { ...defaultRetryOnFailure(), enabled: false },
  });
}
