import { describe, expect, it } from 'vitest';
import { processorConfigProblems } from '../../testing/run-processor.js';

describe('genai processor config', () => {
  it('takes no settings by default', () => {
    expect(processorConfigProblems('genai', '{}')).toEqual([]);
  });

  it.each([
    ['an unknown key', 'vocabulary: openinference', ['processors::genai::vocabulary: unknown key']],
    [
      'a non-boolean switch',
      'rebuild_dify_ids: sometimes',
      ['processors::genai::rebuild_dify_ids: expected true or false, got the string "sometimes"'],
    ],
  ])('rejects %s', (_n, yaml, expected) => {
    expect(processorConfigProblems('genai', yaml)).toEqual(expected);
  });
});
