import { describe, expect, it } from 'vitest';
import {
  kolmogorovSmirnovCdf,
  kolmogorovSmirnovSurvival,
  smirnovSurvival,
} from '../../../src/core/stats/kolmogorov-distribution.ts';
import { sampleGolden } from './sample-golden.ts';

const grid = sampleGolden.kstwo;

/**
 * Relative 1e-10 (observed worst ≈ 1e-12: scipy keeps a few rescaled products in long double and sums the Smirnov
 * series in double-double); values that are 1 − (something tiny) compare to 1e-15 absolutely.
 */
function expectScipy(actual: number, expected: number, label: string): void {
  const tolerance = Math.max(1e-10 * Math.abs(expected), 1e-15);
  expect(Math.abs(actual - expected), `${label}: got ${actual}, expected ${expected}`).toBeLessThanOrEqual(
    tolerance,
  );
}

describe('kstwo and smirnov against scipy (every regime of _kolmogn)', () => {
  it(`has the grid (${grid.length} points, n from 1 to 500000)`, () => {
    expect(grid.length).toBeGreaterThan(400);
  });

  it('kolmogorovSmirnovSurvival matches scipy.stats.kstwo.sf', () => {
    for (const { n, x, sf } of grid) expectScipy(kolmogorovSmirnovSurvival(n, x), sf, `kstwo.sf(${x}, ${n})`);
  }, 60_000); // a few points with n = 500000 need the O(n) Smirnov sum, ~1 s each (as in scipy)

  it('kolmogorovSmirnovCdf matches scipy.stats.kstwo.cdf', () => {
    for (const { n, x, cdf } of grid) expectScipy(kolmogorovSmirnovCdf(n, x), cdf, `kstwo.cdf(${x}, ${n})`);
  });

  it('smirnovSurvival matches scipy.special.smirnov', () => {
    for (const { n, x, smirnov } of grid) {
      if (smirnov !== null) expectScipy(smirnovSurvival(n, x), smirnov, `smirnov(${n}, ${x})`);
    }
  }, 60_000);
});

describe('kstwo edge cases', () => {
  it('is 1 below the support, 0 at and above 1', () => {
    expect(kolmogorovSmirnovSurvival(10, 0)).toBe(1);
    expect(kolmogorovSmirnovSurvival(10, 0.05)).toBe(1); // n·x ≤ 1/2
    expect(kolmogorovSmirnovSurvival(10, 1)).toBe(0);
    expect(kolmogorovSmirnovSurvival(10, 1.5)).toBe(0);
    expect(kolmogorovSmirnovCdf(10, 0)).toBe(0);
  });

  it('has the closed forms of Ruben & Gambino', () => {
    const n = 7;
    const x = 0.9; // n·x ≥ n − 1: sf = 2(1 − x)^n
    expect(kolmogorovSmirnovSurvival(n, x)).toBeCloseTo(2 * 0.1 ** 7, 20);
    // 1/(2n) < x ≤ 1/n: cdf = n!/n^n (2nx − 1)^n
    const y = 0.1;
    let cdf = 1;
    for (let i = 1; i <= n; i++) cdf *= (i / n) * (2 * n * y - 1);
    expect(kolmogorovSmirnovCdf(n, y)).toBeCloseTo(cdf, 15);
  });

  it('returns NaN for a non-integer or non-positive n, as scipy', () => {
    expect(kolmogorovSmirnovSurvival(0, 0.3)).toBeNaN();
    expect(kolmogorovSmirnovSurvival(2.5, 0.3)).toBeNaN();
    expect(kolmogorovSmirnovSurvival(Number.NaN, 0.3)).toBeNaN();
    expect(smirnovSurvival(0, 0.3)).toBeNaN();
    expect(smirnovSurvival(5, 1.2)).toBeNaN();
  });

  it('is a survival function: cdf + sf = 1 and sf decreasing in x', () => {
    for (const n of [3, 50, 141, 5000]) {
      let previous = 1;
      for (let x = 0.001; x < 1; x += 0.013) {
        const sf = kolmogorovSmirnovSurvival(n, x);
        expect(sf).toBeLessThanOrEqual(previous + 1e-15);
        expect(Math.abs(sf + kolmogorovSmirnovCdf(n, x) - 1)).toBeLessThan(1e-6);
        previous = sf;
      }
    }
  });
});
