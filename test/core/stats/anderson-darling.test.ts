import { describe, expect, it } from 'vitest';
import { andersonDarlingKSample } from '../../../src/core/stats/anderson-darling.ts';
import { sortedSample } from '../../../src/core/stats/weighted-sample.ts';
import { expectStatisticInput } from './assertions.ts';
import { expectRelClose, seededRandom } from './golden-fixture.ts';
import { casesWith, decodeSample, expandSample, randomIntegerWeighted } from './sample-golden.ts';

const adCases = casesWith('ad');

describe('andersonDarlingKSample: golden cases (scipy.stats.anderson_ksamp, midrank=True)', () => {
  it('has the fixture cases, with capped, floored and interpolated p-values', () => {
    expect(adCases.length).toBeGreaterThanOrEqual(25);
    for (const bound of ['none', 'floor', 'cap']) {
      expect(adCases.some((c) => c.expected.ad!.pValueBounded === bound)).toBe(true);
    }
  });

  for (const c of adCases) {
    it(c.name, () => {
      const result = andersonDarlingKSample(c.samples.map(decodeSample));
      const e = c.expected.ad!;
      expectRelClose(result.statistic, e.statistic, 1e-9, 'statistic');
      expectRelClose(result.pValue, e.pValue, 1e-7, 'p-value');
      expect(result.pValueBounded).toBe(e.pValueBounded);
    });
  }
});

describe('andersonDarlingKSample: properties', () => {
  const rand = seededRandom(41);
  const randomWeighted = (k: number) => randomIntegerWeighted(rand, k, { spread: 30, step: 1, maxWeight: 6 });

  it('gives the same result for integer weights as for the expanded samples', () => {
    for (let trial = 0; trial < 30; trial++) {
      const samples = Array.from({ length: 2 + Math.floor(rand() * 3) }, () =>
        randomWeighted(1 + Math.floor(rand() * 20)),
      );
      const w = andersonDarlingKSample(samples);
      const e = andersonDarlingKSample(samples.map(expandSample));
      expect(w).toEqual(e);
    }
  });

  it('does not depend on the order of the samples', () => {
    for (let trial = 0; trial < 20; trial++) {
      const samples = Array.from({ length: 3 }, () =>
        sortedSample(Float64Array.from({ length: 5 + Math.floor(rand() * 50) }, () => rand() * 10)),
      );
      const forward = andersonDarlingKSample(samples);
      const backward = andersonDarlingKSample([...samples].reverse());
      expectRelClose(backward.statistic, forward.statistic, 1e-12, 'statistic');
      expectRelClose(backward.pValue, forward.pValue, 1e-12, 'p-value');
    }
  });

  it('rejects bad inputs with DW_STATISTIC_INPUT', () => {
    const ok = sortedSample(Float64Array.of(1, 2, 3));
    expectStatisticInput(() => andersonDarlingKSample([ok]));
    expectStatisticInput(() => andersonDarlingKSample([ok, sortedSample(new Float64Array(0))]));
    expectStatisticInput(() =>
      andersonDarlingKSample([ok, { values: Float64Array.of(2, 1), weights: null }]),
    );
    // One distinct value overall, and fewer than four observations (scipy: ValueError and NaN).
    const twos = sortedSample(Float64Array.of(2, 2));
    expectStatisticInput(() => andersonDarlingKSample([twos, twos]));
    expectStatisticInput(() =>
      andersonDarlingKSample([sortedSample(Float64Array.of(1, 2)), sortedSample(Float64Array.of(3))]),
    );
  });
});
