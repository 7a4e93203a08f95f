import { describe, expect, it } from 'vitest';
import {
  erf,
  erfc,
  normalCdfNdtr,
  normalSurvival,
  twoProportionZFromCounts,
  twoProportionZTest,
} from '../../../src/core/stats/two-proportion-z.ts';
import { expectStatisticInput } from './assertions.ts';
import { expectRelClose } from './golden-fixture.ts';
import { peers } from './peer-fixture.ts';

describe('erfc against mpmath (40 digits)', () => {
  it(`matches ${peers.erfc.length} points to 1e-15 relative`, () => {
    expect(peers.erfc.length).toBeGreaterThanOrEqual(70);
    for (const { x, erfc: want } of peers.erfc) {
      if (want < 2.3e-308) {
        // Subnormal results keep only their absolute accuracy.
        expect(Math.abs(erfc(x) - want)).toBeLessThan(1e-320);
        continue;
      }
      expectRelClose(erfc(x), want, 1e-15, `erfc(${x})`);
    }
  });

  it('handles the ends of the range', () => {
    expect(erfc(0)).toBe(1);
    expect(erfc(Infinity)).toBe(0);
    expect(erfc(-Infinity)).toBe(2);
    expect(erfc(30)).toBe(0);
    expect(erfc(Number.NaN)).toBeNaN();
    expect(erf(0)).toBe(0);
    expect(erf(Number.NaN)).toBeNaN();
  });

  it('is continuous where the method changes (x = 0.5) and erf is odd', () => {
    const below = erfc(0.5 - 1e-15);
    const above = erfc(0.5);
    expect(Math.abs(below - above) / above).toBeLessThan(1e-14);
    for (const x of [1e-300, 1e-8, 0.3, 0.7, 2, 5]) expect(erf(-x)).toBe(-erf(x));
    expectRelClose(erf(1e-10), 1.1283791670955126e-10, 1e-15, 'erf(1e-10)');
  });

  it('normal tails', () => {
    expectRelClose(normalSurvival(1.959963984540054), 0.025, 1e-14, 'sf(1.96)');
    // 10/√2 is rounded before erfc sees it, which alone moves the result by up to 2·x²·1.1e-16 ≈ 1.1e-14.
    expectRelClose(normalSurvival(10), 7.619853024160525e-24, 2e-14, 'sf(10) (mpmath)');
    expectRelClose(normalCdfNdtr(-1.959963984540054), 0.025, 1e-14, 'ndtr(-1.96)');
    expect(normalCdfNdtr(0)).toBe(0.5);
    expect(normalCdfNdtr(9)).toBe(1);
  });
});

describe('twoProportionZTest', () => {
  it("reproduces the conventions doc's binary example (z = -2.8533, p = 0.0043273)", () => {
    const r = twoProportionZTest(300, 1000, 360, 1000);
    expect(r.statistic).toBeCloseTo(-2.8533, 4);
    expect(r.pValue).toBeCloseTo(0.0043273, 7);
    expect(r.referenceProportion).toBe(0.3);
    expect(r.currentProportion).toBe(0.36);
  });

  it('survival and one-minus-cdf agree where 1 - cdf still has digits, and differ far out', () => {
    const a = twoProportionZTest(300, 1000, 360, 1000, 'survival');
    const b = twoProportionZTest(300, 1000, 360, 1000, 'one-minus-cdf');
    expectRelClose(b.pValue, a.pValue, 1e-12, 'p');
    const far = twoProportionZTest(100, 1000, 400, 1000);
    expect(far.pValue).toBeGreaterThan(0);
    expect(far.pValue).toBeLessThan(1e-40);
    expect(twoProportionZTest(100, 1000, 400, 1000, 'one-minus-cdf').pValue).toBe(0);
  });

  it('is antisymmetric in the sides and returns p = 1 when every row has the same value', () => {
    const a = twoProportionZTest(30, 100, 45, 120);
    const b = twoProportionZTest(45, 120, 30, 100);
    expect(b.statistic).toBeCloseTo(-a.statistic, 14);
    expect(b.pValue).toBeCloseTo(a.pValue, 15);
    expect(twoProportionZTest(0, 10, 0, 20)).toMatchObject({ statistic: 0, pValue: 1 });
    expect(twoProportionZTest(10, 10, 20, 20)).toMatchObject({ statistic: 0, pValue: 1 });
  });

  it('counts from vectors: the first non-empty bucket is the 0 class', () => {
    const r = twoProportionZFromCounts(Float64Array.of(0, 700, 300, 0), Float64Array.of(0, 640, 360, 0));
    expect(r.statistic).toBeCloseTo(-2.8533, 4);
    const flipped = twoProportionZFromCounts(Float64Array.of(0, 700, 300), Float64Array.of(0, 640, 360), {
      failure: 2,
    });
    expect(flipped.statistic).toBeCloseTo(2.8533, 4);
  });

  it('rejects impossible counts with DW_STATISTIC_INPUT', () => {
    expectStatisticInput(() => twoProportionZTest(5, 4, 1, 2));
    expectStatisticInput(() => twoProportionZTest(-1, 4, 1, 2));
    expectStatisticInput(() => twoProportionZTest(1, 0, 1, 2));
    expectStatisticInput(() =>
      twoProportionZFromCounts(Float64Array.of(1, 2), Float64Array.of(1, 2), { failure: 2 }),
    );
    expectStatisticInput(() => twoProportionZFromCounts(Float64Array.of(1, 2), Float64Array.of(1)));
  });
});
