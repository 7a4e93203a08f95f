import { describe, expect, it } from 'vitest';
import { lInfinityDistance } from '../../../src/core/stats/l-infinity.ts';
import { expectStatisticInput } from './assertions.ts';

describe('lInfinityDistance', () => {
  const ref = Float64Array.of(500, 300, 200, 0);
  const cur = Float64Array.of(400, 300, 250, 50);

  it("reproduces the conventions doc's TFDV example (L-inf 0.1 at 'a', normalized_abs_difference 0.05)", () => {
    expect(lInfinityDistance(ref, cur)).toEqual({ value: 0.09999999999999998, bucket: 0 });
    const combined = lInfinityDistance(ref, cur, { normalization: 'combined' });
    expect(combined.value).toBeCloseTo(0.05, 15);
    expect(combined.bucket).toBe(0);
  });

  it('breaks ties towards the first or the last bucket', () => {
    const a = Float64Array.of(1, 0, 1);
    const b = Float64Array.of(0, 2, 0);
    expect(lInfinityDistance(a, b)).toEqual({ value: 1, bucket: 1 });
    const c = Float64Array.of(3, 1);
    const d = Float64Array.of(1, 3);
    expect(lInfinityDistance(c, d).bucket).toBe(0);
    expect(lInfinityDistance(c, d, { ties: 'last' }).bucket).toBe(1);
  });

  it('is 0 with bucket 0 on identical inputs, and combined normalisation sees unequal totals', () => {
    expect(lInfinityDistance(ref, ref)).toEqual({ value: 0, bucket: 0 });
    expect(
      lInfinityDistance(
        ref,
        ref.map((x) => 2 * x),
      ).value,
    ).toBe(0);
    expect(
      lInfinityDistance(
        ref,
        ref.map((x) => 2 * x),
        { normalization: 'combined' },
      ).value,
    ).toBeCloseTo(1 / 6, 15);
  });

  it('rejects bad inputs with DW_STATISTIC_INPUT', () => {
    expectStatisticInput(() => lInfinityDistance(ref, Float64Array.of(1, 2)));
    expectStatisticInput(() => lInfinityDistance(ref, new Float64Array(4)));
  });
});
