import { describe, expect, it } from 'vitest';
import { evidentlyNumericHellinger, hellingerDistance } from '../../../src/core/stats/hellinger.ts';
import { expectStatisticInput } from './assertions.ts';
import { expectRelClose, seededRandom } from './golden-fixture.ts';

describe('hellingerDistance', () => {
  const rand = seededRandom(8);
  const pairs = Array.from({ length: 40 }, () => {
    const k = 2 + Math.floor(rand() * 15);
    const a = Float64Array.from({ length: k }, () => (rand() < 0.25 ? 0 : Math.floor(rand() * 500)));
    const b = Float64Array.from({ length: k }, () => (rand() < 0.25 ? 0 : Math.floor(rand() * 500)));
    a[0]! += 1;
    b[k - 1]! += 1;
    return [a, b] as const;
  });

  it('has two forms that agree up to the cancellation of 1 - BC', () => {
    for (const [a, b] of pairs) {
      const e = hellingerDistance(a, b, 'euclidean');
      const bc = hellingerDistance(a, b, 'bhattacharyya');
      expect(Math.abs(e - bc)).toBeLessThan(1e-15 / e + 1e-15);
    }
  });

  it('is 0 on identical distributions, 1 on disjoint ones, symmetric and in [0, 1]', () => {
    for (const [a, b] of pairs) {
      expect(
        hellingerDistance(
          a,
          a.map((x) => 3 * x),
        ),
      ).toBe(0);
      expect(hellingerDistance(a, b)).toBeLessThanOrEqual(1);
      expectRelClose(hellingerDistance(b, a), hellingerDistance(a, b), 1e-14, 'symmetry');
    }
    expect(hellingerDistance(Float64Array.of(3, 0), Float64Array.of(0, 7))).toBe(1);
    expect(hellingerDistance(Float64Array.of(3, 0), Float64Array.of(0, 7), 'bhattacharyya')).toBe(1);
  });

  it('matches the closed form on two buckets', () => {
    // p = (0.3, 0.7), q = (0.36, 0.64)
    const want =
      Math.sqrt((Math.sqrt(0.3) - Math.sqrt(0.36)) ** 2 + (Math.sqrt(0.7) - Math.sqrt(0.64)) ** 2) /
      Math.SQRT2;
    expectRelClose(hellingerDistance(Float64Array.of(300, 700), Float64Array.of(360, 640)), want, 1e-14, 'H');
  });

  it("Evidently's numeric form uses the nominal width, which equals each bin's width on exact edges", () => {
    const edges = Float64Array.of(0, 0.25, 0.5, 0.75, 1);
    const a = Float64Array.of(10, 20, 30, 40);
    const b = Float64Array.of(25, 25, 25, 25);
    expectRelClose(
      evidentlyNumericHellinger(a, b, edges),
      hellingerDistance(a, b, 'bhattacharyya'),
      1e-14,
      'H',
    );
    // With uneven widths the nominal-width product is no longer a Hellinger distance of the proportions.
    const uneven = Float64Array.of(0, 0.1, 0.5, 0.75, 1);
    expect(evidentlyNumericHellinger(a, b, uneven)).not.toBeCloseTo(
      hellingerDistance(a, b, 'bhattacharyya'),
      3,
    );
  });

  it('rejects bad inputs with DW_STATISTIC_INPUT', () => {
    const a = Float64Array.of(1, 2, 3);
    expectStatisticInput(() => hellingerDistance(a, Float64Array.of(1, 2)));
    expectStatisticInput(() => hellingerDistance(a, new Float64Array(3)));
    expectStatisticInput(() => hellingerDistance(a, a, 'cosine' as 'euclidean'));
    expectStatisticInput(() => evidentlyNumericHellinger(a, a, Float64Array.of(0, 1, 2)));
    expectStatisticInput(() => evidentlyNumericHellinger(a, a, Float64Array.of(0)));
  });
});
