import { describe, expect, it } from 'vitest';
import { jensenShannonDistance } from '../../../src/core/stats/jensen-shannon.ts';
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
