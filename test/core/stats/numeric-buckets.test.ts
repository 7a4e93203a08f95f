import { describe, expect, it } from 'vitest';
import {
  countNumeric,
  fitQuantileEdges,
  NUMERIC_FIRST_INNER_BUCKET,
  NUMERIC_MISSING_BUCKET,
  NUMERIC_NEG_INFINITY_BUCKET,
  NUMERIC_UNDERFLOW_BUCKET,
  numericBucketCount,
  numericInnerBucketCount,
  numericOverflowBucket,
  numericPosInfinityBucket,
} from '../../../src/core/stats/numeric-buckets.ts';
import { expectStatisticInput } from './assertions.ts';
import { decodeNumeric, numericCases, seededRandom, sliceValidity } from './golden-fixture.ts';

function countOnce(encoded: Parameters<typeof decodeNumeric>[0], edges: Float64Array): number[] {
  const { values, validity } = decodeNumeric(encoded);
  const out = new Float64Array(numericBucketCount(edges));
  countNumeric(values, validity, values.length, edges, out);
  return Array.from(out);
}

describe('numeric buckets: golden cases (numpy.quantile + numpy.histogram)', () => {
  it('has the fixture cases', () => {
    expect(numericCases.length).toBeGreaterThanOrEqual(30);
  });

  for (const c of numericCases) {
    it(`${c.name}: edges and counts`, () => {
      const reference = decodeNumeric(c.reference);
      if (c.expectError !== undefined) {
        expectStatisticInput(() => fitQuantileEdges(reference.values, c.maxBins, reference.validity));
        return;
      }
      const edges = fitQuantileEdges(reference.values, c.maxBins, reference.validity);
      // Exact, but through === so numpy's -0/+0 choice is not asserted.
      expect(edges.length).toBe(c.edges!.length);
      edges.forEach((e, i) => {
        expect(e === c.edges![i], `edge ${i}: ${e} vs ${c.edges![i]}`).toBe(true);
      });
      expect(countOnce(c.reference, edges)).toEqual(c.referenceCounts);
      expect(countOnce(c.current, edges)).toEqual(c.currentCounts);
    });
  }
});

describe('fitQuantileEdges', () => {
  it('ignores NaN and infinities', () => {
    const edges = fitQuantileEdges(Float64Array.of(Number.NaN, 4, -Infinity, 0, Infinity, 2), 2);
    expect(Array.from(edges)).toEqual([0, 2, 4]);
  });

  it('ignores null slots given a validity bitmap', () => {
    const values = Float64Array.of(1, 1e300, 3, -1e300);
    expect(Array.from(fitQuantileEdges(values, 1, Uint8Array.of(0b0101)))).toEqual([1, 3]);
    expectStatisticInput(() => fitQuantileEdges(values, 1, Uint8Array.of(0)));
    expectStatisticInput(() => fitQuantileEdges(new Float64Array(9), 1, Uint8Array.of(0xff)));
  });

  it('returns the single edge [v] for a constant column', () => {
    expect(Array.from(fitQuantileEdges(new Float64Array(100).fill(-3.25), 10))).toEqual([-3.25]);
  });

  it('returns strictly increasing edges from min to max', () => {
    const rand = seededRandom(7);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + Math.floor(rand() * 300);
      const values = Float64Array.from(
        { length: n },
        () => Math.round(rand() * 20) / (1 + Math.floor(rand() * 3)),
      );
      const edges = fitQuantileEdges(values, 1 + Math.floor(rand() * 40));
      for (let i = 1; i < edges.length; i++) expect(edges[i]!).toBeGreaterThan(edges[i - 1]!);
      expect(edges[0]).toBe(Math.min(...values));
      expect(edges[edges.length - 1]).toBe(Math.max(...values));
    }
  });

  it('stays finite when max − min overflows', () => {
    const edges = fitQuantileEdges(Float64Array.of(-1.5e308, 1.5e308), 4);
    expect(edges.length).toBe(5);
    expect(Array.from(edges).every(Number.isFinite)).toBe(true);
  });

  it('rejects empty or non-finite input and bad maxBins with DW_STATISTIC_INPUT', () => {
    expectStatisticInput(() => fitQuantileEdges(new Float64Array(0), 10));
    expectStatisticInput(() => fitQuantileEdges(Float64Array.of(Number.NaN, Infinity), 10));
    expectStatisticInput(() => fitQuantileEdges(Float64Array.of(1, 2), 0));
    expectStatisticInput(() => fitQuantileEdges(Float64Array.of(1, 2), 2.5));
  });
});

describe('numeric bucket layout', () => {
  it('places fixed buckets around the inner ones', () => {
    const edges = Float64Array.of(0, 1, 2);
    expect(numericInnerBucketCount(edges)).toBe(2);
    expect(numericBucketCount(edges)).toBe(7);
    expect(numericOverflowBucket(edges)).toBe(5);
    expect(numericPosInfinityBucket(edges)).toBe(6);
    const single = Float64Array.of(5);
    expect(numericBucketCount(single)).toBe(6);
    expect([NUMERIC_MISSING_BUCKET, NUMERIC_NEG_INFINITY_BUCKET, NUMERIC_UNDERFLOW_BUCKET]).toEqual([
      0, 1, 2,
    ]);
    expect(NUMERIC_FIRST_INNER_BUCKET).toBe(3);
  });

  it('counts each kind of value into its bucket', () => {
    const edges = Float64Array.of(0, 1, 2);
    const out = new Float64Array(numericBucketCount(edges));
    const values = Float64Array.of(Number.NaN, -Infinity, -0.5, 0, 0.999, 1, 2, 2.5, Infinity, 42);
    const validity = Uint8Array.of(0xff, 0b01); // value 9 (42) is null
    countNumeric(values, validity, values.length, edges, out);
    expect(Array.from(out)).toEqual([2, 1, 1, 2, 2, 1, 1]);
  });

  it('puts exactly v, and nothing else, in the point bucket of a single edge', () => {
    const edges = Float64Array.of(5);
    const out = new Float64Array(numericBucketCount(edges));
    countNumeric(Float64Array.of(4.999999, 5, 5, 5.000001), null, 4, edges, out);
    expect(Array.from(out)).toEqual([0, 0, 1, 2, 1, 0]);
  });

  it('only reads the first `length` values', () => {
    const edges = Float64Array.of(0, 1);
    const out = new Float64Array(numericBucketCount(edges));
    countNumeric(Float64Array.of(0.5, 0.5, 9, 9), null, 2, edges, out);
    expect(Array.from(out)).toEqual([0, 0, 0, 2, 0, 0]);
  });

  it('accumulates across chunks exactly as one pass', () => {
    const rand = seededRandom(42);
    for (let trial = 0; trial < 20; trial++) {
      const n = 200 + Math.floor(rand() * 800);
      const encoded = Array.from({ length: n }, () => {
        const u = rand();
        if (u < 0.03) return null;
        if (u < 0.05) return 'NaN' as const;
        if (u < 0.06) return 'Infinity' as const;
        if (u < 0.07) return '-Infinity' as const;
        return (rand() - 0.5) * 10;
      });
      const { values, validity } = decodeNumeric(encoded);
      const edges = fitQuantileEdges(values.subarray(0, n >> 1), 1 + Math.floor(rand() * 25));
      const once = new Float64Array(numericBucketCount(edges));
      countNumeric(values, validity, n, edges, once);
      const chunked = new Float64Array(numericBucketCount(edges));
      for (let start = 0; start < n; ) {
        const len = Math.min(n - start, 1 + Math.floor(rand() * 97));
        countNumeric(
          values.subarray(start, start + len),
          sliceValidity(validity, start, len),
          len,
          edges,
          chunked,
        );
        start += len;
      }
      expect(Array.from(chunked)).toEqual(Array.from(once));
      expect(once.reduce((a, b) => a + b, 0)).toBe(n);
    }
  });

  it('rejects a mismatched output layout, bad length or short bitmap with DW_STATISTIC_INPUT', () => {
    const edges = Float64Array.of(0, 1, 2);
    const values = new Float64Array(16);
    expectStatisticInput(() => countNumeric(values, null, 16, edges, new Float64Array(6)));
    expectStatisticInput(() => countNumeric(values, null, 17, edges, new Float64Array(7)));
    expectStatisticInput(() => countNumeric(values, null, -1, edges, new Float64Array(7)));
    expectStatisticInput(() => countNumeric(values, new Uint8Array(1), 16, edges, new Float64Array(7)));
    expectStatisticInput(() => countNumeric(values, null, 1, new Float64Array(0), new Float64Array(6)));
  });
});

describe('countNumeric: lookup grid', () => {
  /** The layout's rule written plainly, as the reference the fast path must equal. */
  function slowCounts(values: Float64Array, edges: Float64Array): number[] {
    const m = Math.max(1, edges.length - 1);
    const out = new Array<number>(m + 5).fill(0);
    const last = edges[edges.length - 1]!;
    for (const v of values) {
      if (Number.isNaN(v)) out[0]!++;
      else if (v === Number.NEGATIVE_INFINITY) out[1]!++;
      else if (v === Number.POSITIVE_INFINITY) out[m + 4]!++;
      else if (v < edges[0]!) out[2]!++;
      else if (v > last) out[m + 3]!++;
      else {
        let i = 0;
        while (i < m - 1 && edges[i + 1]! <= v) i++;
        out[3 + i]!++;
      }
    }
    return out;
  }

  it('gives exactly the binary search counts, also for values on, just below and just above every edge', () => {
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 4294967296;
    };
    for (const edges of [
      Float64Array.of(0, 0.1, 0.2, 0.30000000000000004, 0.5, 1),
      Float64Array.of(-1e9, -3, 0, 1e-12, 2e-12, 7, 1e9),
      Float64Array.of(5, 5.000000000000001),
      Float64Array.from({ length: 101 }, (_, i) => i * i * 0.37),
    ]) {
      const values: number[] = [];
      for (const e of edges) {
        values.push(e, e * (1 + Number.EPSILON), e * (1 - Number.EPSILON), e + 1e-300, e - 1e-300);
      }
      const lo = edges[0]!;
      const hi = edges[edges.length - 1]!;
      for (let i = 0; i < 20_000; i++) values.push(lo - 0.1 * (hi - lo) + rand() * 1.2 * (hi - lo));
      values.push(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY);
      const v = Float64Array.from(values);
      const out = new Float64Array(numericBucketCount(edges));
      countNumeric(v, null, v.length, edges, out);
      expect([...out]).toEqual(slowCounts(v, edges));
    }
  });
});
