import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PSI_EPSILON,
  DEFAULT_ZERO_RULE,
  evidentlyFill,
  psi,
  smoothProportions,
  type ZeroRule,
} from '../../../src/core/stats/psi.ts';
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

describe('psi: zero rules', () => {
  const ref = Float64Array.of(600, 400, 0, 0);
  const cur = Float64Array.of(500, 300, 200, 0);

  it('a number means replace with that epsilon', () => {
    expect(psi(ref, cur, 1e-4)).toBe(psi(ref, cur, { rule: 'replace', epsilon: 1e-4 }));
    expect(psi(ref, cur)).toBe(psi(ref, cur, DEFAULT_ZERO_RULE));
  });

  it('evidently: per-side fill min_nonzero/1e6 or 1e-4, every bucket counted, nothing renormalised', () => {
    expect(evidentlyFill(Float64Array.of(0.6, 0.4, 0))).toBe(1e-4);
    expect(evidentlyFill(Float64Array.of(0.99995, 0.00005, 0))).toBe(0.00005 / 1e6);
    const p = [0.6, 0.4, 1e-4, 1e-4];
    const q = [0.5, 0.3, 0.2, 1e-4];
    const want = p.reduce((s, a, i) => s + (a - q[i]!) * Math.log(a / q[i]!), 0);
    expectRelClose(psi(ref, cur, { rule: 'evidently' }), want, 1e-14, 'evidently');
    // A bucket empty on both sides contributes when the two fills differ.
    const tinyRef = Float64Array.of(99_999, 1, 0);
    const tinyCur = Float64Array.of(5, 5, 0);
    const fillRef = 1e-5 / 1e6;
    const pr = [0.99999, 1e-5, fillRef];
    const qr = [0.5, 0.5, 1e-4];
    const wantTiny = pr.reduce((s, a, i) => s + (a - qr[i]!) * Math.log(a / qr[i]!), 0);
    expectRelClose(psi(tinyRef, tinyCur, { rule: 'evidently' }), wantTiny, 1e-12, 'both-empty bucket');
    const { reference, current } = smoothProportions('psi', ref, cur, { rule: 'evidently' });
    expect(reference.length).toBe(4);
    expect(current.length).toBe(4);
  });

  it('add: smoothed proportions still sum to 1 and both-empty buckets stay out', () => {
    const { reference, current } = smoothProportions('psi', ref, cur, { rule: 'add', epsilon: 0.01 });
    expect(reference.length).toBe(3);
    expect(reference.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 15);
    expect(current.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 15);
    expectRelClose(reference[2]!, 0.01 / 1.03, 1e-15, 'smoothed zero');
    expect(psi(ref, cur, { rule: 'add', epsilon: 0.01 })).toBeGreaterThan(0);
  });

  it('rejects invalid rules', () => {
    expectStatisticInput(() => psi(ref, cur, { rule: 'add', epsilon: 0 }));
    expectStatisticInput(() => psi(ref, cur, { rule: 'replace', epsilon: 1 }));
    expectStatisticInput(() => psi(ref, cur, { rule: 'nope' } as unknown as ZeroRule));
  });
});
