import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeSpan, makeTraces } from '../../pdata/span.js';
import { processorConfigProblems, runProcessor, spansOf } from '../../testing/run-processor.js';
import { traceDecision } from './decide.js';
import { probabilisticSamplerProcessorFactory } from './factory.js';

const traceIds = Array.from({ length: 4000 }, () => randomBytes(16).toString('hex'));

describe('probabilistic_sampler processor', () => {
  it.each([
    ['proportional', 25],
    ['proportional', 70],
    ['hash_seed', 25],
    ['hash_seed', 70],
  ] as const)('in %s mode keeps about %i%% of traces', (mode, percentage) => {
    const keep = traceDecision({ mode, sampling_percentage: percentage, hash_seed: 7 });
    const share = traceIds.filter(keep).length / traceIds.length;
    expect(Math.abs(share * 100 - percentage)).toBeLessThan(4);
  });

  it.each([0, 100])('keeps %i%% exactly at the ends', (percentage) => {
    const keep = traceDecision({
      mode: 'proportional',
      sampling_percentage: percentage,
      hash_seed: 0,
    });
    expect(traceIds.filter(keep).length).toBe((traceIds.length * percentage) / 100);
  });

  it('keeps or drops every span of a trace together, across batches', async () => {
    const config = { sampling_percentage: 50 };
    const spans = traceIds
      .slice(0, 50)
      .flatMap((traceId, t) =>
        [0, 1, 2].map((i) =>
          makeSpan({ traceId, spanId: `${t}${i}`.padStart(16, '0'), name: `s${i}` }),
        ),
      );
    const first = spansOf(
      await runProcessor(
        probabilisticSamplerProcessorFactory,
        config,
        makeTraces(spans.slice(0, 75)),
      ),
    );
    const second = spansOf(
      await runProcessor(probabilisticSamplerProcessorFactory, config, makeTraces(spans.slice(75))),
    );
    const counts = new Map<string, number>();
    for (const s of [...first, ...second]) counts.set(s.traceId, (counts.get(s.traceId) ?? 0) + 1);
    expect([...counts.values()].every((n) => n === 3)).toBe(true);
    expect(counts.size).toBeGreaterThan(10);
    expect(counts.size).toBeLessThan(40);
  });

  it('gives the same answer with the same seed and a different one with another seed', () => {
    const a = traceIds.map(
      traceDecision({ mode: 'hash_seed', sampling_percentage: 50, hash_seed: 1 }),
    );
    const b = traceIds.map(
      traceDecision({ mode: 'hash_seed', sampling_percentage: 50, hash_seed: 1 }),
    );
    const c = traceIds.map(
      traceDecision({ mode: 'hash_seed', sampling_percentage: 50, hash_seed: 2 }),
    );
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it.each([
    [
      'a percentage above 100',
      'sampling_percentage: 150',
      ['processors::probabilistic_sampler::sampling_percentage: must be at most 100'],
    ],
    [
      'an unknown mode',
      'mode: equalizing',
      ['processors::probabilistic_sampler::mode: expected proportional or hash_seed'],
    ],
  ])('rejects %s', (_name, yaml, expected) => {
    expect(processorConfigProblems('probabilistic_sampler', yaml)).toEqual(expected);
  });
});
