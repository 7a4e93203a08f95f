import { describe, expect, it } from 'vitest';
import {
  populationStd,
  WASSERSTEIN_MIN_STD,
  wasserstein1,
  wasserstein1Normalized,
} from '../../../src/core/stats/wasserstein.ts';
import { sortedSample } from '../../../src/core/stats/weighted-sample.ts';
import { expectStatisticInput } from './assertions.ts';
import { expectRelClose, seededRandom } from './golden-fixture.ts';
import { casesWith, decodePair, expandSample, randomWeightedPairs } from './sample-golden.ts';

const cases = casesWith('wasserstein');

describe('wasserstein1: golden cases (scipy.stats.wasserstein_distance, with weights)', () => {
  it('has the fixture cases, weighted ones included', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(cases.filter((c) => c.samples.some((s) => s.weights !== null)).length).toBeGreaterThanOrEqual(5);
  });

  for (const c of cases) {
    it(c.name, () => {
      const [a, b] = decodePair(c);
      expectRelClose(wasserstein1(a, b), c.expected.wasserstein!, 1e-9, 'W1');
      if (c.expected.referenceStd !== undefined) {
        const std = populationStd(a);
        expectRelClose(std, c.expected.referenceStd, 1e-9, 'np.std(reference)');
        expectRelClose(
          wasserstein1Normalized(a, b, std),
          c.expected.wassersteinNormalized!,
          1e-9,
          'W1 normed',
        );
      }
    });
  }

  it("reproduces the conventions doc's W1 normed (0.34641)", () => {
    const ref = sortedSample(Float64Array.from({ length: 1000 }, (_, i) => i / 10));
    const cur = sortedSample(Float64Array.from({ length: 1000 }, (_, i) => i / 10 + 10));
    expect(wasserstein1(ref, cur)).toBeCloseTo(10, 10);
    expect(wasserstein1Normalized(ref, cur, populationStd(ref))).toBeCloseTo(0.34641, 5);
  });
});

describe('wasserstein1: properties', () => {
  const rand = seededRandom(51);

  it('gives the same distance for integer weights as for the expanded sample', () => {
    const size = () => 1 + Math.floor(rand() * 40);
    for (const [a, b] of randomWeightedPairs(rand, 30, size, { spread: 100, step: 8, maxWeight: 7 })) {
      expect(wasserstein1(a, b)).toBe(wasserstein1(expandSample(a), expandSample(b)));
      expectRelClose(populationStd(a), populationStd(expandSample(a)), 1e-13, 'std');
    }
  });

  it('is a metric on the samples: zero on itself, symmetric, shift gives the shift', () => {
    for (let trial = 0; trial < 20; trial++) {
      const x = sortedSample(Float64Array.from({ length: 1 + Math.floor(rand() * 100) }, () => rand() * 50));
      const y = sortedSample(Float64Array.from({ length: 1 + Math.floor(rand() * 100) }, () => rand() * 50));
      expect(wasserstein1(x, x)).toBe(0);
      expectRelClose(wasserstein1(y, x), wasserstein1(x, y), 1e-13, 'symmetry');
      const shifted = sortedSample(x.values.map((v) => v + 7.25));
      expectRelClose(wasserstein1(x, shifted), 7.25, 1e-12, 'shift');
    }
  });

  it('normalises by max(referenceStd, 0.001)', () => {
    const a = sortedSample(Float64Array.of(5, 5, 5));
    const b = sortedSample(Float64Array.of(5, 6));
    expect(populationStd(a)).toBe(0);
    expect(wasserstein1Normalized(a, b, 0)).toBeCloseTo(0.5 / WASSERSTEIN_MIN_STD, 10);
    expect(wasserstein1Normalized(a, b, 2)).toBeCloseTo(0.25, 15);
  });

  it('rejects bad inputs with DW_STATISTIC_INPUT', () => {
    const ok = sortedSample(Float64Array.of(1, 2, 3));
    expectStatisticInput(() => wasserstein1(ok, sortedSample(new Float64Array(0))));
    expectStatisticInput(() => wasserstein1(ok, { values: Float64Array.of(2, 1), weights: null }));
    expectStatisticInput(() =>
      wasserstein1(ok, { values: Float64Array.of(1, 2), weights: Float64Array.of(1, -1) }),
    );
    expectStatisticInput(() => wasserstein1Normalized(ok, ok, -1));
    expectStatisticInput(() => wasserstein1Normalized(ok, ok, Number.NaN));
    expectStatisticInput(() => populationStd(sortedSample(new Float64Array(0))));
  });
});
