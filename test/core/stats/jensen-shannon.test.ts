import { describe, expect, it } from 'vitest';
import {
  jensenShannonDistance,
  jensenShannonDivergence,
  tfdvJensenShannonDivergence,
} from '../../../src/core/stats/jensen-shannon.ts';
import { expectStatisticInput } from './assertions.ts';
import { expectRelClose, seededRandom, statCases } from './golden-fixture.ts';

describe('jensenShannonDistance: golden cases (scipy.spatial.distance.jensenshannon)', () => {
  for (const c of statCases) {
    it(c.name, () => {
      expectRelClose(
        jensenShannonDistance(c.reference, c.current),
        c.expected.jsBase2,
        1e-9,
        'base 2 (default)',
      );
      expectRelClose(jensenShannonDistance(c.reference, c.current, 2), c.expected.jsBase2, 1e-9, 'base 2');
      expectRelClose(
        jensenShannonDistance(c.reference, c.current, Math.E),
        c.expected.jsBaseE,
        1e-9,
        'base e',
      );
    });
  }

  it("reproduces the conventions doc's categorical Evidently JS in natural log (0.14664)", () => {
    const value = jensenShannonDistance(
      Float64Array.of(500, 300, 200, 0),
      Float64Array.of(400, 300, 250, 50),
      Math.E,
    );
    expect(value).toBeCloseTo(0.14664, 5);
  });
});

describe('jensenShannonDistance: properties', () => {
  const rand = seededRandom(3);
  const pairs = Array.from({ length: 40 }, () => {
    const k = 2 + Math.floor(rand() * 20);
    const ref = Float64Array.from({ length: k }, () => (rand() < 0.3 ? 0 : rand() * 1000));
    const cur = Float64Array.from({ length: k }, () => (rand() < 0.3 ? 0 : rand() * 1000));
    ref[0]! += 1;
    cur[k - 1]! += 1;
    return [ref, cur] as const;
  });

  it('is 0 on identical inputs', () => {
    for (const [ref] of pairs) {
      expect(jensenShannonDistance(ref, ref)).toBe(0);
      expect(jensenShannonDistance(ref, ref, Math.E)).toBe(0);
    }
  });

  it('is symmetric', () => {
    for (const [ref, cur] of pairs) {
      expectRelClose(jensenShannonDistance(cur, ref), jensenShannonDistance(ref, cur), 1e-14, 'symmetry');
    }
  });

  it('lies in [0, 1] in base 2, and is 1 on disjoint supports', () => {
    for (const [ref, cur] of pairs) {
      const d = jensenShannonDistance(ref, cur);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(1);
    }
    expect(jensenShannonDistance(Float64Array.of(1, 0, 0), Float64Array.of(0, 2, 5))).toBeCloseTo(1, 15);
  });

  it('rejects bad inputs with DW_STATISTIC_INPUT', () => {
    const a = Float64Array.of(1, 2, 3);
    expectStatisticInput(() => jensenShannonDistance(a, Float64Array.of(1, 2)));
    expectStatisticInput(() => jensenShannonDistance(a, new Float64Array(3)));
    expectStatisticInput(() => jensenShannonDistance(new Float64Array(3), a));
    expectStatisticInput(() => jensenShannonDistance(a, Float64Array.of(-1, 2, 3)));
    expectStatisticInput(() => jensenShannonDistance(a, a, 1));
    expectStatisticInput(() => jensenShannonDistance(a, a, 0));
  });
});

describe('jensenShannonDivergence and TFDV', () => {
  it('is the square of the distance (scipy: jensenshannon([.2,.3,.5],[.5,.5,0], base=2)^2 = 0.31613...)', () => {
    const p = Float64Array.of(2, 3, 5);
    const q = Float64Array.of(5, 5, 0);
    expectRelClose(jensenShannonDivergence(p, q), 0.3161341998316932, 1e-14, 'divergence');
    expectRelClose(
      jensenShannonDivergence(p, q, Math.E),
      jensenShannonDistance(p, q, Math.E) ** 2,
      1e-14,
      'base e',
    );
    expect(jensenShannonDivergence(p, p)).toBe(0);
  });

  it('TFDV: log2 divergence capped at 1, and mismatched buckets never meet', () => {
    const p = Float64Array.of(500, 300, 200, 0);
    const q = Float64Array.of(400, 300, 250, 50);
    expect(tfdvJensenShannonDivergence(p, q)).toBeCloseTo(0.031024, 6);
    expect(tfdvJensenShannonDivergence(p, q)).toBe(Math.min(jensenShannonDivergence(p, q), 1));
    // Both sides have 10 NaNs in bucket 3: TFDV still compares each with 0 (half of the NaN share each).
    const a = Float64Array.of(45, 45, 0, 10);
    const b = Float64Array.of(45, 45, 0, 10);
    expect(tfdvJensenShannonDivergence(a, b)).toBe(0);
    expectRelClose(tfdvJensenShannonDivergence(a, b, { mismatched: [3] }), 0.1, 1e-14, 'NaN buckets');
    expect(tfdvJensenShannonDivergence(Float64Array.of(1, 0), Float64Array.of(0, 1))).toBe(1);
    expectStatisticInput(() => tfdvJensenShannonDivergence(a, b, { mismatched: [4] }));
    expectStatisticInput(() => jensenShannonDivergence(a, b, 1));
  });
});
