import { describe, expect, it } from 'vitest';
import {
  CVM_MAX_AUTO_EXACT_SIZE,
  type CvmMethod,
  cramerVonMisesExactPValue,
  cramerVonMisesLimitCdf,
  cramerVonMisesTwoSample,
} from '../../../src/core/stats/cramer-von-mises.ts';
import { sortedSample, type WeightedSample } from '../../../src/core/stats/weighted-sample.ts';
import { expectStatisticInput } from './assertions.ts';
import { expectRelClose, seededRandom } from './golden-fixture.ts';
import {
  casesWith,
  decodePair,
  expandSample,
  randomWeightedPairs,
  sampleGolden,
  sampleSize,
} from './sample-golden.ts';

const cvmCases = casesWith('cvm');

describe('cramerVonMisesTwoSample: golden cases (scipy.stats.cramervonmises_2samp)', () => {
  it('has the fixture cases', () => {
    expect(cvmCases.length).toBeGreaterThanOrEqual(25);
  });

  for (const c of cvmCases) {
    it(c.name, () => {
      const [a, b] = decodePair(c);
      const n = sampleSize(a);
      const m = sampleSize(b);
      const expected = c.expected.cvm!;
      for (const method of ['auto', 'exact', 'asymptotic'] as const) {
        const e = expected[method];
        if (e === undefined) continue; // exact p-value skipped by the generator above 20 observations
        const result = cramerVonMisesTwoSample(a, b, { method });
        expect(result.method).toBe(e.method);
        // Against exact rational arithmetic: we avoid scipy's cancellation, so this is tight.
        expect(
          Math.abs(result.statistic - expected.statisticExact),
          `${method}: statistic ${result.statistic} vs exact ${expected.statisticExact}`,
        ).toBeLessThanOrEqual(1e-12 * Math.abs(expected.statisticExact) + 1e-15);
        // Against scipy: its U/(nmN) − (4nm − 1)/(6N) carries up to ~N·ε/6·(a few) of absolute error.
        const scipyError = 256 * Number.EPSILON * ((4 * n * m - 1) / (6 * (n + m)));
        expect(
          Math.abs(result.statistic - e.statistic),
          `${method}: statistic ${result.statistic} vs scipy ${e.statistic}`,
        ).toBeLessThanOrEqual(1e-9 * Math.abs(e.statistic) + scipyError);
        // The asymptotic p-value is 1 − CDF, so scipy's (and ours) is only absolutely accurate, to ~1e-16.
        expect(
          Math.abs(result.pValue - e.pValue),
          `${method}: p-value ${result.pValue} vs scipy ${e.pValue}`,
        ).toBeLessThanOrEqual(1e-7 * e.pValue + (e.method === 'asymptotic' ? 1e-14 : 0));
      }
    });
  }
});

describe('cramerVonMisesLimitCdf: scipy _cdf_cvm_inf', () => {
  it(`matches on ${sampleGolden.cvmLimit.length} points`, () => {
    for (const { x, cdf } of sampleGolden.cvmLimit)
      expectRelClose(cramerVonMisesLimitCdf(x), cdf, 1e-12, `cdf(${x})`);
  });

  it('is 0 at 0 and increasing', () => {
    expect(cramerVonMisesLimitCdf(0)).toBe(0);
    let previous = 0;
    for (let x = 0.01; x < 3; x += 0.05) {
      const cdf = cramerVonMisesLimitCdf(x);
      expect(cdf).toBeGreaterThan(previous);
      previous = cdf;
    }
  });
});

describe('cramerVonMisesExactPValue: scipy _pval_cvm_2samp_exact', () => {
  it(`matches on ${sampleGolden.cvmExact.length} (U, m, n) points`, () => {
    for (const { u, m, n, p } of sampleGolden.cvmExact) {
      expectRelClose(cramerVonMisesExactPValue(u, m, n), p, 1e-14, `p(${u}, ${m}, ${n})`);
    }
  });
});

describe('cramerVonMisesTwoSample: properties', () => {
  const rand = seededRandom(31);

  it('gives the same statistic and p-value for integer weights as for the expanded sample', () => {
    const size = () => 1 + Math.floor(rand() * 30);
    for (const [a, b] of randomWeightedPairs(rand, 30, size, { spread: 40, step: 2, maxWeight: 4 })) {
      if (sampleSize(a) < 2 || sampleSize(b) < 2) continue;
      const w = cramerVonMisesTwoSample(a, b);
      const e = cramerVonMisesTwoSample(expandSample(a), expandSample(b));
      expect(w).toEqual(e);
    }
  });

  it('is symmetric in its samples and 0 on identical samples', () => {
    for (let trial = 0; trial < 20; trial++) {
      const x = sortedSample(
        Float64Array.from({ length: 2 + Math.floor(rand() * 60) }, () => Math.round(rand() * 9)),
      );
      const y = sortedSample(
        Float64Array.from({ length: 2 + Math.floor(rand() * 60) }, () => Math.round(rand() * 9)),
      );
      const ab = cramerVonMisesTwoSample(x, y);
      const ba = cramerVonMisesTwoSample(y, x);
      expectRelClose(ba.statistic, ab.statistic, 1e-13, 'statistic');
      expectRelClose(ba.pValue, ab.pValue, 1e-12, 'p-value');
      const self = cramerVonMisesTwoSample(x, x);
      expect(Math.abs(self.statistic)).toBeLessThan(1e-15);
      expect(self.pValue).toBe(1);
    }
  });

  it('uses the exact p-value up to 20 observations per side and the asymptotic one above', () => {
    const s = (k: number) => sortedSample(Float64Array.from({ length: k }, (_, i) => i * 1.5));
    const t = (k: number) => sortedSample(Float64Array.from({ length: k }, (_, i) => i * 1.7 + 0.2));
    expect(cramerVonMisesTwoSample(s(CVM_MAX_AUTO_EXACT_SIZE), t(CVM_MAX_AUTO_EXACT_SIZE)).method).toBe(
      'exact',
    );
    expect(cramerVonMisesTwoSample(s(CVM_MAX_AUTO_EXACT_SIZE + 1), t(5)).method).toBe('asymptotic');
  });

  it('treats real weights as a sketch: asymptotic under auto, no exact p-value', () => {
    const a: WeightedSample = { values: Float64Array.of(0, 1, 2), weights: Float64Array.of(2.5, 3, 1.25) };
    const b: WeightedSample = { values: Float64Array.of(0.5, 1, 3), weights: Float64Array.of(1, 4.5, 2) };
    const result = cramerVonMisesTwoSample(a, b);
    expect(result.method).toBe('asymptotic');
    expect(result.statistic).toBeGreaterThan(0);
    // Scaling all weights by 4 makes them integers; T is then the expanded sample's, with sizes 4n, 4m.
    const scaled = (s: WeightedSample): WeightedSample => ({
      values: s.values,
      weights: s.weights!.map((w) => 4 * w),
    });
    const e = cramerVonMisesTwoSample(expandSample(scaled(a)), expandSample(scaled(b)));
    expectRelClose(cramerVonMisesTwoSample(scaled(a), scaled(b)).statistic, e.statistic, 1e-14, 'scaled');
    expectStatisticInput(() => cramerVonMisesTwoSample(a, b, { method: 'exact' }));
  });

  it('rejects bad inputs with DW_STATISTIC_INPUT', () => {
    const ok = sortedSample(Float64Array.of(1, 2, 3));
    expectStatisticInput(() => cramerVonMisesTwoSample(ok, sortedSample(Float64Array.of(5))));
    expectStatisticInput(() => cramerVonMisesTwoSample(ok, sortedSample(new Float64Array(0))));
    expectStatisticInput(() => cramerVonMisesTwoSample(ok, { values: Float64Array.of(3, 1), weights: null }));
    expectStatisticInput(() => cramerVonMisesTwoSample(ok, ok, { method: 'permutation' as CvmMethod }));
  });
});
