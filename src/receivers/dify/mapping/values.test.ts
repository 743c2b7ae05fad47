import { describe, expect, it } from 'vitest';
import { externalTrace } from './external-trace.js';
import { ItemError, Reader } from './reader.js';
import { count, decimal, JsonColumn, payload, providerName } from './values.js';

describe('providerName', () => {
  it.each([
    ['langgenius/openai/openai', 'openai'],
    ['langgenius/deepseek/deepseek', 'deepseek'],
    ['langgenius/azure_openai/azure_openai', 'azure.ai.openai'],
    ['langgenius/gemini/google', 'gcp.gemini'],
    ['langgenius/bedrock/bedrock', 'aws.bedrock'],
    ['acme/weather_cn/weather_cn', 'weather_cn'],
    ['anthropic', 'anthropic'],
    ['', undefined],
    [undefined, undefined],
  ])('reduces %j to %j', (input, expected) => {
    expect(providerName(input)).toBe(expected);
  });
});

describe('decimal', () => {
  it.each([
    ['0.0042340', 0.004234],
    ['0E-7', 0],
    ['1e3', 1000],
    [0.5, 0.5],
    ['abc', undefined],
    ['', undefined],
    [null, undefined],
  ])('reads %j as %j', (input, expected) => {
    expect(decimal(input)).toBe(expected);
  });
});

describe('count', () => {
  it.each([
    [1463, 1463],
    [0, 0],
    [1.5, undefined],
    [-1, undefined],
    ['12', undefined],
  ])('reads %j as %j', (input, expected) => {
    expect(count(input)).toBe(expected);
  });
});

describe('JsonColumn', () => {
  const column = (raw: unknown, key: string, path = '') =>
    new JsonColumn(new Reader({ [key]: raw }, path), key);

  it('decodes JSON text when a field is needed and passes the text on as the payload', () => {
    const c = column('{"b": "\\u5e74", "a": 1}', 'inputs');
    expect(c.value).toEqual({ b: '年', a: 1 });
    expect(c.payload).toEqual({ text: '{"b": "\\u5e74", "a": 1}', json: true });
  });

  it('takes an already parsed column as it is', () => {
    const c = column({ a: 1 }, 'inputs');
    expect(c.value).toEqual({ a: 1 });
    expect(c.payload).toEqual({ text: '{"a":1}', json: true });
  });

  it.each([null, undefined, '', 'null'])('has no payload for %j', (raw) => {
    expect(column(raw, 'outputs').payload).toBeUndefined();
  });

  it('names the column when its text is not JSON', () => {
    const c = column('{oops', 'process_data', 'rows[2]');
    expect(() => c.value).toThrow(ItemError);
    expect(() => c.value).toThrow(/^rows\[2\]\.process_data: expected JSON text, got invalid JSON/);
  });
});

describe('payload', () => {
  it.each([
    ['plain', { text: 'plain', json: false }],
    [{ a: [1] }, { text: '{"a":[1]}', json: true }],
    [['x'], { text: '["x"]', json: true }],
    ['', undefined],
    [null, undefined],
  ])('encodes %j', (value, expected) => {
    expect(payload(value)).toEqual(expected);
  });
});

describe('externalTrace', () => {
  it.each([
    [undefined, {}],
    ['', {}],
    [
      '5B8EFFF798038103D269B633813FC60C',
      { raw: '5B8EFFF798038103D269B633813FC60C', otelTraceId: '5b8efff798038103d269b633813fc60c' },
    ],
    [
      '8b7ade21-faf4-4e46-a15f-f8f843c45263',
      {
        raw: '8b7ade21-faf4-4e46-a15f-f8f843c45263',
        uuid4: '8b7ade21-faf4-4e46-a15f-f8f843c45263',
      },
    ],
    ['00000000000000000000000000000000', { raw: '00000000000000000000000000000000' }],
    ['0190d7a1-0000-7000-8000-000000000001', { raw: '0190d7a1-0000-7000-8000-000000000001' }],
    ['req_7f3a9c2e-checkout_42', { raw: 'req_7f3a9c2e-checkout_42' }],
  ])('classifies %j', (value, expected) => {
    expect(externalTrace(value)).toEqual(expected);
  });
});
