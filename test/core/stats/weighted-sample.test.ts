import { describe, expect, it } from 'vitest';
import {
  checkSample,
  sortedSample,
  sortedWeightedSample,
  sortFloat64,
  totalWeight,
} from '../../../src/core/stats/weighted-sample.ts';
import { expectStatisticInput } from './assertions.ts';
import { seededRandom } from './golden-fixture.ts';

describe('sortedSample', () => {
  it('copies, drops non-finite values and sorts numerically', () => {
    const raw = Float64Array.of(10, Number.NaN, -2, Infinity, 3, -Infinity, 3, 1e-300, -0);
    const s = sortedSample(raw);
    expect(Array.from(s.values)).toEqual([-2, -0, 1e-300, 3, 3, 10]);
    expect(s.weights).toBeNull();
    expect(raw[0]).toBe(10); // input untouched
    expect(s.values.buffer).not.toBe(raw.buffer);
  });

  it('returns an empty sample for no finite values (the kernels then reject it)', () => {
    expect(sortedSample(Float64Array.of(Number.NaN)).values.length).toBe(0);
  });
});

describe('sortFloat64 (radix sort above 4096 values)', () => {
  it('orders exactly as TypedArray#sort, signed zeros, subnormals and huge magnitudes included', () => {
    const rand = seededRandom(12);
    const generators: (() => number)[] = [
      () => rand() * 2 - 1,
      () => Math.round(rand() * 10) - 5,
      () => (rand() - 0.5) * 1e300,
      () => (rand() < 0.5 ? -0 : 0),
      () => (rand() - 0.5) * 5e-324 * Math.floor(rand() * 1000),
      () => 1e9 + rand(),
      () => (rand() < 0.5 ? -1 : 1) * 10 ** (rand() * 600 - 300),
    ];
    for (const generate of generators) {
      for (const n of [4095, 4096, 20_000]) {
        const values = Float64Array.from({ length: n }, generate);
        const expected = values.slice().sort();
        sortFloat64(values);
        for (let i = 0; i < n; i++) {
          if (!Object.is(values[i], expected[i]))
            expect.fail(`n=${n}, index ${i}: ${values[i]} vs ${expected[i]}`);
        }
      }
    }
  });

  it('sorts a subarray view in place without touching its neighbours', () => {
    const backing = Float64Array.from({ length: 10_000 }, (_, i) => 10_000 - i);
    const view = backing.subarray(1000, 9000);
    sortFloat64(view);
    expect(backing[999]).toBe(9001);
    expect(backing[9000]).toBe(1000);
    for (let i = 1; i < view.length; i++) expect(view[i]!).toBeGreaterThan(view[i - 1]!);
  });
});

describe('sortedWeightedSample', () => {
  it('sorts pairs by value and drops zero weights and non-finite values', () => {
    const s = sortedWeightedSample(Float64Array.of(5, 1, Number.NaN, 3, 2), Float64Array.of(0.5, 2, 7, 0, 1));
    expect(Array.from(s.values)).toEqual([1, 2, 5]);
    expect(Array.from(s.weights!)).toEqual([2, 1, 0.5]);
  });

  it('rejects negative or non-finite weights and length mismatches', () => {
    expectStatisticInput(() => sortedWeightedSample(Float64Array.of(1, 2), Float64Array.of(1, -1)));
    expectStatisticInput(() => sortedWeightedSample(Float64Array.of(1, 2), Float64Array.of(1, Number.NaN)));
    expectStatisticInput(() => sortedWeightedSample(Float64Array.of(1, 2), Float64Array.of(1)));
  });
});

describe('totalWeight', () => {
  it('is the length of an exact sample and the weight sum otherwise', () => {
    expect(totalWeight(sortedSample(Float64Array.of(3, 1, 2)))).toBe(3);
    expect(totalWeight({ values: Float64Array.of(1, 2), weights: Float64Array.of(0.25, 4) })).toBe(4.25);
  });
});

describe('checkSample', () => {
  it('returns the total weight of a valid sample', () => {
    const rand = seededRandom(11);
    const values = sortedSample(Float64Array.from({ length: 100 }, () => Math.round(rand() * 10))).values;
    expect(checkSample('t', 'a', { values, weights: null })).toBe(100);
    expect(checkSample('t', 'a', { values, weights: new Float64Array(100).fill(0.5) })).toBe(50);
  });

  it('rejects empty, unsorted, non-finite and badly weighted samples', () => {
    const ok = Float64Array.of(1, 2, 3);
    expectStatisticInput(() => checkSample('t', 'a', { values: new Float64Array(0), weights: null }));
    expectStatisticInput(() => checkSample('t', 'a', { values: Float64Array.of(1, 3, 2), weights: null }));
    expectStatisticInput(() =>
      checkSample('t', 'a', { values: Float64Array.of(1, Number.NaN), weights: null }),
    );
    expectStatisticInput(() =>
      checkSample('t', 'a', { values: Float64Array.of(1, Infinity), weights: null }),
    );
    expectStatisticInput(() => checkSample('t', 'a', { values: ok, weights: Float64Array.of(1, 1) }));
    expectStatisticInput(() => checkSample('t', 'a', { values: ok, weights: Float64Array.of(1, 0, 1) }));
    expectStatisticInput(() => checkSample('t', 'a', { values: ok, weights: Float64Array.of(1, -1, 1) }));
    expectStatisticInput(() =>
      checkSample('t', 'a', { values: ok, weights: Float64Array.of(1, Infinity, 1) }),
    );
    expectStatisticInput(() =>
      checkSample('t', 'a', { values: ok, weights: Float64Array.of(1e308, 1e308, 1e308) }),
    );
  });
});
