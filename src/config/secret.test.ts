import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets } from './secret.js';

describe('redactSecrets', () => {
  it('hides secret keys wherever they are, and keeps the rest', () => {
    expect(
      redactSecrets({
        exporters: { opik: { api_key: 'k', workspace: 'w', empty: { token: '' } } },
      }),
    ).toEqual({ exporters: { opik: { api_key: REDACTED, workspace: 'w', empty: { token: '' } } } });
  });

  it('hides every header value, in the map form and in the list form', () => {
    expect(
      redactSecrets({
        otlp: { headers: { 'x-api-key': 'k1', 'x-scope': 'tenant' }, endpoint: 'gw:4317' },
        otlphttp: { headers: [{ name: 'x-api-key', value: 'k2' }] },
      }),
    ).toEqual({
      otlp: { headers: { 'x-api-key': REDACTED, 'x-scope': REDACTED }, endpoint: 'gw:4317' },
      otlphttp: { headers: [{ name: 'x-api-key', value: REDACTED }] },
    });
  });
});
