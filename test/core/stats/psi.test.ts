import { describe, expect, it } from 'vitest';
import { DEFAULT_PSI_EPSILON, psi } from '../../../src/core/stats/psi.ts';
import { expectStatisticInput } from './assertions.ts';
import { expectRelClose, golden, seededRandom, statCases } from './golden-fixture.ts';

describe('psi: golden cases (numpy, pinned epsilon convention)', () => {
  it('uses the fixture default epsilon', () => {
    expect(DEFAULT_PSI_EPSILON).toBe(1e-4);
    expect(golden.defaultEpsilon).toBe(DEFAULT_PSI_EPSILON);
  });

  for (const c of statCases) {
    it(c.name, () => {
      expectRelClose(psi(c.reference, c.current, c.epsilon), c.expected.psi, 1e-9, 'psi');
    });
  }

  it("reproduces the conventions doc's categorical Evidently PSI (0.34358)", () => {
    // ref {a:500,b:300,c:200}, cur {a:400,b:300,c:250,d:50}; d is unseen, missing is empty on both sides.
    const value = psi(
      Float64Array.of(500, 300, 200, 0, 0),
      Float64Array.of(400, 300, 250, 50, 0),
      DEFAULT_PSI_EPSILON,
    );
    expect(value).toBeCloseTo(0.34358, 5);
  });
});

describe('psi: properties', () => {
  it('is 0 on identical and on proportional inputs', () => {
    const rand = seededRandom(1);
    for (let trial = 0; trial < 20; trial++) {
      const counts = Float64Array.from({ length: 12 }, () => (rand() < 0.2 ? 0 : Math.floor(rand() * 1000)));
      counts[0] = 1;
      expect(psi(counts, counts, DEFAULT_PSI_EPSILON)).toBe(0);
      expect(
        psi(
          counts,
          counts.map((x) => 4 * x),
          DEFAULT_PSI_EPSILON,
        ),
      ).toBe(0);
    }
  });

  it('is non-negative and ignores buckets empty on both sides', () => {
    const rand = seededRandom(2);
    for (let trial = 0; trial < 20; trial++) {
      const ref = Float64Array.from({ length: 8 }, () => Math.floor(rand() * 50));
      const cur = Float64Array.from({ length: 8 }, () => Math.floor(rand() * 50));
      ref[0] = 1;
      cur[0] = 1;
      const value = psi(ref, cur, DEFAULT_PSI_EPSILON);
      expect(value).toBeGreaterThanOrEqual(0);
      const padRef = new Float64Array(10);
      const padCur = new Float64Array(10);
      padRef.set(ref, 1);
      padCur.set(cur, 1);
      expect(psi(padRef, padCur, DEFAULT_PSI_EPSILON)).toBe(value);
    }
  });

  it('rejects bad inputs with DW_STATISTIC_INPUT', () => {
    const a = Float64Array.of(1, 2, 3);
    expectStatisticInput(() => psi(a, Float64Array.of(1, 2), DEFAULT_PSI_EPSILON));
    expectStatisticInput(() => psi(a, new Float64Array(3), DEFAULT_PSI_EPSILON));
    expectStatisticInput(() => psi(new Float64Array(3), a, DEFAULT_PSI_EPSILON));
    expectStatisticInput(() => psi(new Float64Array(0), new Float64Array(0), DEFAULT_PSI_EPSILON));
    expectStatisticInput(() => psi(a, Float64Array.of(1, -1, 3), DEFAULT_PSI_EPSILON));
    expectStatisticInput(() => psi(a, Float64Array.of(1, Number.NaN, 3), DEFAULT_PSI_EPSILON));
    expectStatisticInput(() => psi(a, Float64Array.of(1, Infinity, 3), DEFAULT_PSI_EPSILON));
    expectStatisticInput(() => psi(a, a, 0));
    expectStatisticInput(() => psi(a, a, Number.NaN));
  });
});
