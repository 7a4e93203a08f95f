import { describe, expect, it } from 'vitest';
import { chiSquaredGoodnessOfFit, chiSquaredHomogeneity } from '../../../src/core/stats/chi-squared.ts';
import { expectStatisticInput } from './assertions.ts';
import { expectRelClose, statCases } from './golden-fixture.ts';

describe('chiSquaredHomogeneity: golden cases (scipy.stats.chi2_contingency, correction=False)', () => {
  for (const c of statCases) {
    it(c.name, () => {
      const result = chiSquaredHomogeneity(c.reference, c.current);
      expect(result.dof).toBe(c.expected.chi2.dof);
      expectRelClose(result.statistic, c.expected.chi2.statistic, 1e-9, 'statistic');
      if (c.expected.chi2.pValue > 1e-300) {
        expectRelClose(result.pValue, c.expected.chi2.pValue, 1e-9, 'p-value');
      } else {
        expect(result.pValue).toBeLessThan(1e-290);
      }
    });
  }

  it("reproduces the conventions doc's NannyML categorical p (2.21e-14)", () => {
    const result = chiSquaredHomogeneity(
      Float64Array.of(500, 300, 200, 0, 0),
      Float64Array.of(400, 300, 250, 50, 0),
    );
    expect(result.dof).toBe(3);
    expect(result.pValue / 2.21e-14).toBeCloseTo(1, 2);
  });
});

describe('chiSquaredHomogeneity: properties', () => {
  it('returns statistic 0, dof 0, p 1 with fewer than two non-empty columns', () => {
    expect(chiSquaredHomogeneity(Float64Array.of(0, 5, 0), Float64Array.of(0, 9, 0))).toEqual({
      statistic: 0,
      dof: 0,
      pValue: 1,
    });
  });

  it('is symmetric in its two rows and unchanged by empty columns', () => {
    const ref = Float64Array.of(30, 12, 0, 7);
    const cur = Float64Array.of(20, 15, 4, 0);
    const ab = chiSquaredHomogeneity(ref, cur);
    const ba = chiSquaredHomogeneity(cur, ref);
    expectRelClose(ba.statistic, ab.statistic, 1e-14, 'statistic');
    expect(ba.dof).toBe(ab.dof);
    const padded = chiSquaredHomogeneity(
      Float64Array.of(0, 30, 12, 0, 7, 0),
      Float64Array.of(0, 20, 15, 4, 0, 0),
    );
    expect(padded).toEqual(ab);
  });

  it('rejects bad inputs with DW_STATISTIC_INPUT', () => {
    const a = Float64Array.of(1, 2, 3);
    expectStatisticInput(() => chiSquaredHomogeneity(a, Float64Array.of(1, 2)));
    expectStatisticInput(() => chiSquaredHomogeneity(a, new Float64Array(3)));
    expectStatisticInput(() => chiSquaredHomogeneity(new Float64Array(3), a));
    expectStatisticInput(() => chiSquaredHomogeneity(a, Float64Array.of(1, 2, Number.NaN)));
  });
});

describe('chiSquaredHomogeneity: Yates correction (scipy.stats.chi2_contingency)', () => {
  const ref = Float64Array.of(30, 20);
  const cur = Float64Array.of(10, 25);

  it('applies it only when asked and only at dof = 1', () => {
    const corrected = chiSquaredHomogeneity(ref, cur, { correction: true });
    expectRelClose(corrected.statistic, 6.949930555555551, 1e-13, 'corrected statistic');
    expectRelClose(corrected.pValue, 0.00838224869725173, 1e-12, 'corrected p');
    const plain = chiSquaredHomogeneity(ref, cur);
    expectRelClose(plain.statistic, 8.162698412698408, 1e-13, 'statistic');
    expectRelClose(plain.pValue, 0.004276070303601585, 1e-12, 'p');
    const three = [Float64Array.of(30, 20, 5), Float64Array.of(10, 25, 9)] as const;
    expect(chiSquaredHomogeneity(...three, { correction: true })).toEqual(chiSquaredHomogeneity(...three));
  });

  it('never moves an observed count past its expected count', () => {
    const r = chiSquaredHomogeneity(Float64Array.of(10, 10), Float64Array.of(10, 10.2), { correction: true });
    expect(r.statistic).toBe(0);
  });
});

describe('chiSquaredGoodnessOfFit (Evidently)', () => {
  it('scales the reference counts to the current total (scipy.stats.chisquare)', () => {
    const r = chiSquaredGoodnessOfFit(Float64Array.of(500, 300, 200, 0), Float64Array.of(40, 35, 25, 0));
    expect(r.dof).toBe(2);
    expectRelClose(r.statistic, 4.083333333333334, 1e-13, 'statistic');
    expectRelClose(r.pValue, 0.12981217685543797, 1e-12, 'p');
  });

  it('gives p = 0 when the current sample has a category the reference lacks', () => {
    const r = chiSquaredGoodnessOfFit(Float64Array.of(500, 300, 200, 0), Float64Array.of(400, 300, 250, 50));
    expect(r).toEqual({ statistic: Infinity, dof: 3, pValue: 0 });
  });

  it('is degenerate with one bucket, and rejects bad inputs', () => {
    expect(chiSquaredGoodnessOfFit(Float64Array.of(0, 4), Float64Array.of(0, 9))).toEqual({
      statistic: 0,
      dof: 0,
      pValue: 1,
    });
    expectStatisticInput(() => chiSquaredGoodnessOfFit(Float64Array.of(1, 2), Float64Array.of(1)));
    expectStatisticInput(() => chiSquaredGoodnessOfFit(Float64Array.of(1, 2), new Float64Array(2)));
  });
});
