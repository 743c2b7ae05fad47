import { describe, expect, it } from 'vitest';
import { processorConfigProblems } from '../../testing/run-processor.js';

describe('genai processor config', () => {
  it('takes no settings by default', () => {
    expect(processorConfigProblems('genai', '{}')).toEqual([]);
  });

  it('takes some hold settings and keeps the defaults of the others', () => {
    expect(
      processorConfigProblems('genai', 'dify_hold: { wait_duration: 30s, limit_mib: 16 }'),
    ).toEqual([]);
  });

  it.each([
    ['an unknown key', 'vocabulary: openinference', ['processors::genai::vocabulary: unknown key']],
    [
      'a non-boolean switch',
      'rebuild_dify_ids: sometimes',
      ['processors::genai::rebuild_dify_ids: expected true or false, got the string "sometimes"'],
    ],
    [
      'a hold that never waits',
      'dify_hold: { wait_duration: 0s }',
      ['processors::genai::dify_hold::wait_duration: must be longer than 0'],
    ],
    [
      'an unknown hold setting',
      'dify_hold: { decision_wait: 5s }',
      ['processors::genai::dify_hold::decision_wait: unknown key'],
    ],
    [
      'a hold kept in a storage that is not configured',
      'dify_hold: { storage: file_storage }',
      [
        'processors::genai::dify_hold::storage: names extension "file_storage", which is not listed under service::extensions nor configured under extensions',
      ],
    ],
    [
      'a hold of no traces',
      'dify_hold: { num_traces: 0 }',
      ['processors::genai::dify_hold::num_traces: must be at least 1'],
    ],
  ])('rejects %s', (_n, yaml, expected) => {
    expect(processorConfigProblems('genai', yaml)).toEqual(expected);
  });
});
