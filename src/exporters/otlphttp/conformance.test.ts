import { defaultRetryOnFailure } from '../../exporterhelper/config.js';
import { describeComponent } from '../../testing/conformance.js';
import { otlpHttpExporterFactories } from './factory.js';

// Nothing listens on port 1: the queued batch fails at once (no retries) and is dropped at shutdown.
for (const factory of otlpHttpExporterFactories) {
  describeComponent(factory, {
    endpoint: 'http://127.0.0.1:1',
    retry_on_failure: { ...defaultRetryOnFailure(), enabled: false },
  });
}
