import { describe, expect, it } from 'vitest';
import { makeSpan, makeTraces } from '../../pdata/span.js';
import type { Attributes, Span } from '../../pdata/traces.js';
import { processorConfigProblems, runProcessor, spansOf } from '../../testing/run-processor.js';
import { luhn } from './builtin-patterns.js';
import { redactionProcessorFactory } from './factory.js';

const prompt = JSON.stringify([
  {
    role: 'user',
    content:
      'My card is 4111 1111 1111 1111, mail me at ana@example.com, key sk-proj-abcdefghijklmnop1234',
  },
]);

const span = (attributes: Attributes): Span =>
  makeSpan({
    traceId: 'a'.repeat(32),
    spanId: 'b'.repeat(16),
    name: 'chat',
    attributes,
    events: [
      {
        name: 'request',
        timeUnixNano: 1n,
        droppedAttributesCount: 0,
        attributes: [{ key: 'http.request.header.authorization', value: 'Bearer abc.def.ghi' }],
      },
    ],
  });

const attrs: Attributes = [
  { key: 'input.value', value: prompt },
  { key: 'user.email', value: 'ana@example.com' },
  { key: 'order.id', value: '4111111111111112' },
  { key: 'api_token', value: 'plain-secret' },
  { key: 'gen_ai.request.model', value: 'gpt-4.1' },
  { key: 'opik.span_id', value: '0199e0b3-5b1a-7000-8000-000000000001' },
];

async function redact(config: Record<string, unknown>, attributes: Attributes = attrs) {
  return spansOf(
    await runProcessor(redactionProcessorFactory, config, makeTraces([span(attributes)])),
  )[0]!;
}
const get = (s: Span, key: string) => s.attributes.find((kv) => kv.key === key)?.value;

describe('redaction processor', () => {
  it('masks built-in patterns inside JSON payloads and keeps them valid JSON', async () => {
    const out = await redact({
      allow_all_keys: true,
      builtin_patterns: ['card_numbers', 'emails', 'api_keys'],
    });
    const messages = JSON.parse(get(out, 'input.value') as string) as Array<{ content: string }>;
    expect(messages[0]!.content).toBe('My card is ****, mail me at ****, key ****');
    expect(get(out, 'user.email')).toBe('****');
    // Fails the Luhn check: an order number, not a card.
    expect(get(out, 'order.id')).toBe('4111111111111112');
    expect(get(out, 'redaction.masked.count')).toBe(2n);
  });

  it('masks bearer tokens in event attributes', async () => {
    const out = await redact({ allow_all_keys: true, builtin_patterns: ['bearer_tokens'] });
    expect(out.events[0]!.attributes).toEqual([
      { key: 'http.request.header.authorization', value: 'Bearer ****' },
    ]);
  });

  it('removes keys that are not allowed, but never Opik ids or ignored keys', async () => {
    const out = await redact({
      allowed_keys: ['gen_ai.request.model'],
      ignored_keys: ['user.email'],
      summary: 'debug',
    });
    expect(out.attributes.map((kv) => kv.key)).toEqual([
      'user.email',
      'gen_ai.request.model',
      'opik.span_id',
      'redaction.redacted.keys',
      'redaction.redacted.count',
      'redaction.ignored.count',
    ]);
    expect(get(out, 'redaction.redacted.keys')).toBe(
      'api_token,http.request.header.authorization,input.value,order.id',
    );
    expect(out.events[0]!.attributes).toEqual([]);
  });

  it.each([
    [
      'blocked_values',
      { allow_all_keys: true, blocked_values: ['plain-[a-z]+'] },
      'api_token',
      '****',
    ],
    [
      'blocked_key_patterns (whole value)',
      { allow_all_keys: true, blocked_key_patterns: ['token$'] },
      'api_token',
      '****',
    ],
    [
      'allowed_values exempt a match',
      { allow_all_keys: true, builtin_patterns: ['emails'], allowed_values: ['.+@example\\.com'] },
      'user.email',
      'ana@example.com',
    ],
  ])('honours %s', async (_name, config, key, expected) => {
    expect(get(await redact(config), key)).toBe(expected);
  });

  it('records only counts at info and nothing at silent', async () => {
    const info = await redact({ allow_all_keys: true, builtin_patterns: ['emails'] });
    expect(info.attributes.filter((kv) => kv.key.startsWith('redaction.'))).toEqual([
      { key: 'redaction.masked.count', value: 2n },
    ]);
    const silent = await redact({
      allow_all_keys: true,
      builtin_patterns: ['emails'],
      summary: 'silent',
    });
    expect(silent.attributes.some((kv) => kv.key.startsWith('redaction.'))).toBe(false);
  });

  it('is idempotent: a second pass changes nothing', async () => {
    const config = {
      allowed_keys: ['input.value', 'user.email'],
      builtin_patterns: ['emails', 'card_numbers'],
      summary: 'debug',
    };
    const once = await runProcessor(redactionProcessorFactory, config, makeTraces([span(attrs)]));
    const twice = await runProcessor(redactionProcessorFactory, config, once[0]!);
    expect(twice).toEqual(once);
  });

  it.each([
    ['4111 1111 1111 1111', true],
    ['4111111111111112', false],
    ['5500-0000-0000-0004', true],
  ])('checks %s with Luhn', (number, valid) => {
    expect(luhn(number.replace(/[ -]/g, ''))).toBe(valid);
  });

  it.each([
    [
      'an unknown built-in pattern',
      'builtin_patterns: [phones]',
      [
        'processors::redaction::builtin_patterns::0: expected one of api_keys, bearer_tokens, emails, card_numbers',
      ],
    ],
    [
      'a bad blocked value',
      'blocked_values: ["(x"]',
      [
        'processors::redaction::blocked_values::0: invalid regular expression: missing closing ): `(x`',
      ],
    ],
    [
      'an unknown summary',
      'summary: loud',
      ['processors::redaction::summary: expected debug, info or silent'],
    ],
  ])('rejects %s', (_name, yaml, expected) => {
    expect(processorConfigProblems('redaction', yaml)).toEqual(expected);
  });
});
