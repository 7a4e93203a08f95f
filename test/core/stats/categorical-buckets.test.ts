import { describe, expect, it } from 'vitest';
import {
  buildCodeToBucket,
  categoricalBucketCount,
  categoricalMissingBucket,
  categoricalUnseenBucket,
  countCategorical,
} from '../../../src/core/stats/categorical-buckets.ts';
import { expectStatisticInput } from './assertions.ts';
import { categoricalCases, decodeCodes, seededRandom, sliceValidity } from './golden-fixture.ts';

function indexOf(baseline: readonly string[]): Map<string, number> {
  return new Map(baseline.map((category, i) => [category, i]));
}

describe('categorical buckets: golden cases', () => {
  for (const c of categoricalCases) {
    it(`${c.name}: counts`, () => {
      const index = indexOf(c.baseline);
      for (const [side, expected] of [
        [c.reference, c.referenceCounts],
        [c.current, c.currentCounts],
      ] as const) {
        const { codes, validity } = decodeCodes(side.codes);
        const out = new Float64Array(categoricalBucketCount(c.baseline.length));
        countCategorical(codes, validity, codes.length, buildCodeToBucket(side.dictionary, index), out);
        expect(Array.from(out)).toEqual(expected);
      }
    });
  }
});

describe('categorical bucket layout', () => {
  it('puts unseen and missing after the baseline categories', () => {
    expect(categoricalBucketCount(3)).toBe(5);
    expect(categoricalUnseenBucket(3)).toBe(3);
    expect(categoricalMissingBucket(3)).toBe(4);
  });

  it('maps window codes to baseline buckets or unseen', () => {
    const map = buildCodeToBucket(['c', 'zz', 'a', 'b'], indexOf(['a', 'b', 'c']));
    expect(Array.from(map)).toEqual([2, 3, 0, 1]);
  });

  it('counts nulls as missing and codes outside the mapping as unseen', () => {
    const map = buildCodeToBucket(['b', 'a'], indexOf(['a', 'b']));
    const out = new Float64Array(categoricalBucketCount(2));
    // Values: b, a, null, code -1, code 2, a
    countCategorical(Int32Array.of(0, 1, 0, -1, 2, 1), Uint8Array.of(0b111011), 6, map, out);
    expect(Array.from(out)).toEqual([2, 1, 2, 1]);
  });

  it('accumulates across chunks exactly as one pass', () => {
    const rand = seededRandom(99);
    const baseline = ['a', 'b', 'c', 'd', 'e'];
    const dictionary = ['e', 'x', 'c', 'a', 'y', 'b'];
    const map = buildCodeToBucket(dictionary, indexOf(baseline));
    for (let trial = 0; trial < 20; trial++) {
      const n = 100 + Math.floor(rand() * 900);
      const raw = Array.from({ length: n }, () => (rand() < 0.05 ? null : Math.floor(rand() * 8) - 1));
      const { codes, validity } = decodeCodes(raw);
      const once = new Float64Array(categoricalBucketCount(baseline.length));
      countCategorical(codes, validity, n, map, once);
      const chunked = new Float64Array(categoricalBucketCount(baseline.length));
      for (let start = 0; start < n; ) {
        const len = Math.min(n - start, 1 + Math.floor(rand() * 61));
        countCategorical(
          codes.subarray(start, start + len),
          sliceValidity(validity, start, len),
          len,
          map,
          chunked,
        );
        start += len;
      }
      expect(Array.from(chunked)).toEqual(Array.from(once));
      expect(once.reduce((a, b) => a + b, 0)).toBe(n);
    }
  });

  it('rejects inconsistent inputs with DW_STATISTIC_INPUT', () => {
    expectStatisticInput(() => buildCodeToBucket(['a'], new Map([['a', 1]])));
    expectStatisticInput(() => buildCodeToBucket(['a'], new Map([['a', -1]])));
    const map = Int32Array.of(0, 1, 2);
    const codes = Int32Array.of(0, 1, 2);
    // A map built for a larger baseline: bucket 2 does not exist in a 1-category layout (0, unseen 1, missing 2).
    expectStatisticInput(() => countCategorical(codes, null, 3, map, new Float64Array(3)));
    expectStatisticInput(() => countCategorical(codes, null, 4, map, new Float64Array(5)));
    expectStatisticInput(() => countCategorical(codes, null, 3, map, new Float64Array(1)));
    expectStatisticInput(() =>
      countCategorical(new Int32Array(9), new Uint8Array(1), 9, map, new Float64Array(5)),
    );
  });
});
