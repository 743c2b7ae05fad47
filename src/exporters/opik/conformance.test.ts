import { afterAll, beforeAll } from 'vitest';
import { type FakeOpik, startFakeOpik } from '../../../test/fake-opik/server.js';
import { defaultRetryOnFailure } from '../../exporterhelper/config.js';
import { describeComponent } from '../../testing/conformance.js';
import { opikExporterFactory } from './factory.js';

// The conformance run consumes one span, so it needs an Opik: a fake one on port 0.
const minimal: Record<string, unknown> = {
  retry_on_failure: { ...defaultRetryOnFailure(), enabled: false },
};
let fake: FakeOpik;
beforeAll(async () => {
  fake = await startFakeOpik();
  minimal.endpoint = `${fake.url}/api`;
});
afterAll(() => fake.stop());

describeComponent(opikExporterFactory, minimal);
