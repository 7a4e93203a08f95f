import { describe, expect, it } from 'vitest';
import { klDivergence } from '../../../src/core/stats/kl-divergence.ts';
import { expectStatisticInput } from './assertions.ts';
import { expectRelClose, seededRandom } from './golden-fixture.ts';

describe('klDivergence', () => {
  it('equals scipy.stats.entropy on counts without zeros (values from scipy 1.17)', () => {
    const p = Float64Array.of(10, 40, 50);
    const q = Float64Array.of(30, 30, 40);
    expectRelClose(klDivergence(p, q), 0.11678337577100631, 1e-14, 'nats');
    expectRelClose(klDivergence(p, q, { base: 2 }), 0.16848279708310313, 1e-14, 'bits');
    // No zeros, so every zero rule leaves the proportions alone (replace) or nearly so.
    expect(klDivergence(p, q, { zero: null })).toBe(klDivergence(p, q));
    expect(klDivergence(p, q, { zero: { rule: 'evidently' } })).toBe(klDivergence(p, q));
  });

  it('is 0 on proportional inputs and positive otherwise', () => {
    const rand = seededRandom(21);
    for (let trial = 0; trial < 30; trial++) {
      const a = Float64Array.from({ length: 9 }, () => (rand() < 0.2 ? 0 : Math.floor(rand() * 100)));
      const b = Float64Array.from({ length: 9 }, () => (rand() < 0.2 ? 0 : Math.floor(rand() * 100)));
      a[0] = 1;
      b[0] = 1;
      expect(
        klDivergence(
          a,
          a.map((x) => 2 * x),
        ),
      ).toBe(0);
      expect(klDivergence(a, b)).toBeGreaterThanOrEqual(0);
    }
  });

  it('applies the zero rule, then renormalises (scipy.stats.entropy divides by the sums)', () => {
    const p = Float64Array.of(5, 5, 0);
    const q = Float64Array.of(2, 0, 8);
    // replace: p = [.5, .5, 1e-4], q = [.2, 1e-4, .8], each renormalised.
    const ps = [0.5, 0.5, 1e-4].map((x) => x / 1.0001);
    const qs = [0.2, 1e-4, 0.8].map((x) => x / 1.0001);
    const want = ps.reduce((s, a, i) => s + a * Math.log(a / qs[i]!), 0);
    expectRelClose(klDivergence(p, q), want, 1e-14, 'replace');
    expect(klDivergence(p, q, { zero: null })).toBe(Infinity);
    expect(klDivergence(q, p, { zero: null })).toBe(Infinity);
    expect(klDivergence(Float64Array.of(1, 0), Float64Array.of(1, 1), { zero: null })).toBeCloseTo(
      Math.LN2,
      15,
    );
  });

  it('rejects bad inputs with DW_STATISTIC_INPUT', () => {
    const a = Float64Array.of(1, 2, 3);
    expectStatisticInput(() => klDivergence(a, Float64Array.of(1, 2)));
    expectStatisticInput(() => klDivergence(a, new Float64Array(3)));
    expectStatisticInput(() => klDivergence(a, a, { base: 1 }));
    expectStatisticInput(() => klDivergence(a, a, { zero: { rule: 'replace', epsilon: 0 } }));
    expectStatisticInput(() => klDivergence(a, new Float64Array(3), { zero: null }));
  });
});
