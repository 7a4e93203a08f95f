import { describe, expect, it } from 'vitest';
import {
  KS_MAX_AUTO_EXACT_SIZE,
  type KsMethod,
  type KsResult,
  ksExactRawProbability,
  ksStatistic,
  ksTwoSample,
} from '../../../src/core/stats/kolmogorov-smirnov.ts';
import { sortedSample, type WeightedSample } from '../../../src/core/stats/weighted-sample.ts';
import { expectStatisticInput } from './assertions.ts';
import { expectRelClose, seededRandom } from './golden-fixture.ts';
import { casesWith, decodePair, expandSample, randomWeightedPairs, sampleGolden } from './sample-golden.ts';

const ksCases = casesWith('ks');

describe('ksTwoSample: golden cases (scipy.stats.ks_2samp, two-sided)', () => {
  it('has the fixture cases', () => {
    expect(ksCases.length).toBeGreaterThanOrEqual(30);
  });

  for (const c of ksCases) {
    it(c.name, () => {
      const [a, b] = decodePair(c);
      for (const method of ['auto', 'exact', 'asymp'] as const) {
        const expected = c.expected.ks![method];
        const options = { method, ...c.ksOptions };
        if (expected.pValue === null) {
          expectStatisticInput(() => ksTwoSample(a, b, options));
          continue;
        }
        const result: KsResult = ksTwoSample(a, b, options);
        expect(result.method, `${method}: method used`).toBe(expected.method);
        expectRelClose(result.statistic, expected.statistic, 1e-9, `${method}: statistic`);
        expectRelClose(result.pValue, expected.pValue, 1e-7, `${method}: p-value`);
      }
    });
  }
});

describe('ksTwoSample: the conventions doc fixture', () => {
  const ref = sortedSample(Float64Array.from({ length: 1000 }, (_, i) => i / 10));
  const cur = sortedSample(Float64Array.from({ length: 1000 }, (_, i) => i / 10 + 10));

  it('gives D = 0.1, p exact 8.974e-5 and asymptotic 8.342e-5', () => {
    const exact = ksTwoSample(ref, cur);
    expect(exact.method).toBe('exact');
    expect(exact.statistic).toBe(0.1);
    expect(exact.pValue / 8.974e-5).toBeCloseTo(1, 3);
    const asymp = ksTwoSample(ref, cur, { method: 'asymp' });
    expect(asymp.statistic).toBeCloseTo(0.1, 15);
    expect(asymp.pValue / 8.342e-5).toBeCloseTo(1, 3);
  });
});

describe('ksExactRawProbability: scipy _compute_prob_outside_square / _compute_outer_prob_inside_method', () => {
  it(`matches on ${sampleGolden.ksExact.length} (n, m, h) points, including the just-above-1 values`, () => {
    for (const { n, m, h, prob } of sampleGolden.ksExact) {
      const actual = ksExactRawProbability(n, m, h);
      if (prob > 1)
        expect(actual, `(${n}, ${m}, ${h})`).toBe(prob); // same operations, same rounding
      else expect(Math.abs(actual - prob), `(${n}, ${m}, ${h})`).toBeLessThanOrEqual(1e-12 * prob + 1e-300);
    }
  });
});

describe('ksTwoSample: properties', () => {
  const rand = seededRandom(21);

  it('gives the same D and p for integer weights as for the expanded sample', () => {
    const size = () => 2 + Math.floor(rand() * 40);
    for (const [a, b] of randomWeightedPairs(rand, 30, size, { spread: 60, step: 4, maxWeight: 5 })) {
      for (const method of ['auto', 'exact', 'asymp'] as const) {
        const w = ksTwoSample(a, b, { method });
        const e = ksTwoSample(expandSample(a), expandSample(b), { method });
        // The weighted statistic is the raw D; the exact one is snapped to h/lcm, at most an ulp away.
        expectRelClose(w.statistic, e.statistic, 1e-15, 'statistic');
        expect(w.pValue).toBe(e.pValue);
        expect(w.method).toBe(e.method);
      }
    }
  });

  it('is symmetric in its samples and unchanged by reordering the raw values', () => {
    for (let trial = 0; trial < 20; trial++) {
      const x = Float64Array.from({ length: 5 + Math.floor(rand() * 80) }, () => Math.round(rand() * 50));
      const y = Float64Array.from({ length: 5 + Math.floor(rand() * 80) }, () => Math.round(rand() * 50) + 3);
      const ab = ksTwoSample(sortedSample(x), sortedSample(y));
      const ba = ksTwoSample(sortedSample(y), sortedSample(x.reverse()));
      expect(ba).toEqual(ab);
    }
  });

  it('uses the effective sizes for the p-value of a weighted sample', () => {
    const a: WeightedSample = { values: Float64Array.of(0, 1, 2), weights: Float64Array.of(0.2, 0.5, 0.3) };
    const b: WeightedSample = {
      values: Float64Array.of(0.5, 1.5, 2),
      weights: Float64Array.of(0.3, 0.3, 0.4),
    };
    const d = ksStatistic(a, b);
    expect(d).toBeCloseTo(0.4, 15);
    const small = ksTwoSample(a, b, { n: 20, m: 30 });
    const large = ksTwoSample(a, b, { n: 2000, m: 3000 });
    expect(small.statistic).toBe(d);
    expect(large.pValue).toBeLessThan(small.pValue);
    expect(ksTwoSample(a, b, { n: 20_000, m: 30_000 }).method).toBe('asymp');
    // Defaults: rounded total weights (here 1 and 1).
    expect(ksTwoSample(a, b).method).toBe('exact');
  });

  it("switches 'auto' to asymptotic above 10000 and 'exact' to asymptotic when lcm(n, m) is too large", () => {
    // D = 2.5e-5, so the exact band stays a few cells wide even for large lcm.
    const a: WeightedSample = { values: Float64Array.of(0, 1), weights: Float64Array.of(1, 1) };
    const b: WeightedSample = { values: Float64Array.of(0, 1), weights: Float64Array.of(10_000, 10_001) };
    expect(ksTwoSample(a, b, { n: KS_MAX_AUTO_EXACT_SIZE, m: 5000 }).method).toBe('exact');
    expect(ksTwoSample(a, b, { n: KS_MAX_AUTO_EXACT_SIZE + 1, m: 5000 }).method).toBe('asymp');
    expect(ksTwoSample(a, b, { method: 'exact', n: 50_000, m: 45_001 }).method).toBe('asymp');
    expect(ksTwoSample(a, b, { method: 'exact', n: 40_000, m: 45_000 }).method).toBe('exact');
  });

  it('rejects bad inputs with DW_STATISTIC_INPUT', () => {
    const ok = sortedSample(Float64Array.of(1, 2, 3));
    expectStatisticInput(() => ksTwoSample(ok, sortedSample(new Float64Array(0))));
    expectStatisticInput(() => ksTwoSample({ values: Float64Array.of(2, 1), weights: null }, ok));
    expectStatisticInput(() => ksTwoSample(ok, { values: Float64Array.of(1, Number.NaN), weights: null }));
    expectStatisticInput(() =>
      ksTwoSample(ok, { values: Float64Array.of(1, 2), weights: Float64Array.of(1, 0) }),
    );
    expectStatisticInput(() => ksTwoSample(ok, ok, { n: 0 }));
    expectStatisticInput(() => ksTwoSample(ok, ok, { m: 2.5 }));
    expectStatisticInput(() => ksTwoSample(ok, ok, { method: 'approx' as KsMethod }));
    // n = m = 1, asymptotic: scipy's kstwo.sf(D, round(0.5) = 0) is NaN.
    const one = sortedSample(Float64Array.of(1));
    expectStatisticInput(() => ksTwoSample(one, sortedSample(Float64Array.of(2)), { method: 'asymp' }));
  });
});
