import { describe, expect, it } from 'vitest';
import { difyUuid7, seedToUuid4, spanIdFor, traceIdFor, traceIdFromSeed } from './dify.js';
import { formatUuid, uuidHex } from './uuid.js';

/** Python's `int(dt.timestamp() * 1000)` for a naive UTC time with microseconds. */
const ms = (text: string) => Math.trunc(Date.parse(`${text.slice(0, 23)}Z`));

describe("Dify's Opik ids", () => {
  it.each([
    // [timestamp, Dify id, expected_opik_ids.json] — trace, chatflow root, node, workflow root.
    [
      '2026-06-12T08:30:01.123456',
      'fd34c7a1-ca76-40b7-a3c9-c9de9689fead',
      '019ebaf3-cfa3-70b7-a3c9-c9de9689fead',
    ],
    [
      '2026-06-12T08:30:01.123456',
      'c9c4129f-3ea2-4ab5-b658-8be89e08717d',
      '019ebaf3-cfa3-7ab5-b658-8be89e08717d',
    ],
    [
      '2026-06-12T08:30:01.140211',
      'd378b9bf-ae8d-4b02-b561-86426bc98cea',
      '019ebaf3-cfb4-7b02-b561-86426bc98cea',
    ],
    [
      '2026-06-12T09:15:42.004871',
      '881fd2eb-bcc1-4b76-b519-6e79c86a5694-root',
      '019ebb1d-a234-78a4-90b7-287c0db584c1',
    ],
  ])('uuid7(%s, %s) is %s', (time, id, expected) => {
    expect(difyUuid7(ms(time), id)).toBe(expected);
  });

  it('seeds like _seed_to_uuid4: MD5 with version 4 and the RFC variant', () => {
    // python3: uuid.UUID(bytes=hashlib.md5(b"881fd2eb-…-root").digest(), version=4)
    expect(formatUuid(seedToUuid4('881fd2eb-bcc1-4b76-b519-6e79c86a5694-root'))).toBe(
      '9594fcc1-4c87-48a4-90b7-287c0db584c1',
    );
  });

  it('still gives an id for a non-v4 UUID (Dify raises there)', () => {
    expect(difyUuid7(0, '0190d7a1-0000-7000-8000-000000000001')).toBe(
      '00000000-0000-7000-8000-000000000001',
    );
  });
});

describe('OTel ids', () => {
  it('uses a Dify UUID as the trace id', () => {
    expect(traceIdFor('c9c4129f-3ea2-4ab5-b658-8be89e08717d')).toBe(
      'c9c4129f3ea24ab5b6588be89e08717d',
    );
  });

  it('hashes ids that are not UUIDs, deterministically', () => {
    expect(traceIdFor('run-42')).toMatch(/^[0-9a-f]{32}$/);
    expect(traceIdFor('run-42')).toBe(traceIdFor('run-42'));
    expect(traceIdFromSeed('a')).not.toBe(traceIdFromSeed('b'));
  });

  it('derives span ids from SHA-256 of the seed', () => {
    // sha256("workflow:c9c4…") starts fa72c6bd74c63420.
    expect(spanIdFor('workflow:c9c4129f-3ea2-4ab5-b658-8be89e08717d')).toBe('fa72c6bd74c63420');
    expect(spanIdFor('node:x')).not.toBe(spanIdFor('node:y'));
  });

  it('reads UUIDs with or without dashes only', () => {
    expect(uuidHex('C9C4129F3EA24AB5B6588BE89E08717D')).toBe('c9c4129f3ea24ab5b6588be89e08717d');
    expect(uuidHex('c9c4129f-3ea2-4ab5-b658-8be89e08717d')).toBe(
      'c9c4129f3ea24ab5b6588be89e08717d',
    );
    expect(uuidHex('c9c4129f3ea2-4ab5-B6588be89e08717d')).toBe('c9c4129f3ea24ab5b6588be89e08717d');
    for (const text of [
      'req_7f3a9c2e-checkout_42',
      '',
      'c9c4129f--3ea2-4ab5-b658-8be89e08717d',
      'c9c4129f-3ea2-4ab5-b658-8be89e08717d0',
      'c9c4129f-3ea2-4ab5-b658-8be89e08717',
      'c9c4129f-3ea2-4ab5-b658-8be89e08717g',
      '-c9c4129f3ea24ab5b6588be89e08717d',
      'c9c4129f3ea24ab5b6588be89e08717d-',
    ]) {
      expect(uuidHex(text), text).toBeUndefined();
    }
  });
});
