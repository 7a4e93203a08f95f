import { describe, expect, it } from 'vitest';
import {
  type EdgeStrategy,
  fitDistinctValueEdges,
  fitEdges,
  nextUp,
  numpySum,
} from '../../../src/core/stats/bucket-edges.ts';
import {
  countNumeric,
  fitQuantileEdges,
  numericBucketCount,
} from '../../../src/core/stats/numeric-buckets.ts';
import { expectStatisticInput } from './assertions.ts';
import { seededRandom } from './golden-fixture.ts';
import { type NumpyEdgeCase, peers } from './peer-fixture.ts';

const { arrays, cases } = peers.numpyHistogramBinEdges;

function strategyOf(c: NumpyEdgeCase): EdgeStrategy {
  const integer = arrays[c.name]!.dtype.startsWith('int');
  if (c.bins === 'doane') return { kind: 'doane', integer };
  if (c.bins === 'sturges') return { kind: 'sturges', integer };
  return { kind: 'equal-width', bins: c.bins };
}

describe('fitEdges: numpy.histogram_bin_edges golden cases', () => {
  it('has the fixture cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(80);
    expect(cases.some((c) => c.error !== undefined)).toBe(true);
  });

  for (const c of cases) {
    it(`${c.name}, bins=${c.bins}`, () => {
      const values = Float64Array.from(arrays[c.name]!.values);
      if (c.error !== undefined || c.edges!.some((e) => typeof e !== 'number')) {
        // numpy raises, or (bins=1 over an overflowing range) returns a NaN edge; we refuse both.
        expectStatisticInput(() => fitEdges(values, strategyOf(c)));
        return;
      }
      const edges = fitEdges(values, strategyOf(c));
      expect(Array.from(edges)).toEqual(c.edges);
    });
  }
});

describe('fitEdges: strategies', () => {
  it('wraps the quantile fit', () => {
    const rand = seededRandom(11);
    const values = Float64Array.from({ length: 500 }, () => rand() * 7);
    expect(fitEdges(values, { kind: 'quantile', bins: 10 })).toEqual(fitQuantileEdges(values, 10));
  });

  it('validates explicit edges', () => {
    expect(Array.from(fitEdges(new Float64Array(0), { kind: 'explicit', edges: [0, 1.5, 4] }))).toEqual([
      0, 1.5, 4,
    ]);
    expect(Array.from(fitEdges(new Float64Array(0), { kind: 'explicit', edges: [2] }))).toEqual([2]);
    expectStatisticInput(() => fitEdges(new Float64Array(0), { kind: 'explicit', edges: [] }));
    expectStatisticInput(() => fitEdges(new Float64Array(0), { kind: 'explicit', edges: [0, 0, 1] }));
    expectStatisticInput(() => fitEdges(new Float64Array(0), { kind: 'explicit', edges: [1, 0] }));
    expectStatisticInput(() => fitEdges(new Float64Array(0), { kind: 'explicit', edges: [0, Infinity] }));
    expectStatisticInput(() => fitEdges(new Float64Array(0), { kind: 'explicit', edges: [Number.NaN] }));
  });

  it('ignores NaN, ±Infinity and null slots', () => {
    const clean = Float64Array.of(0.5, 2, 3.25, 9, 1);
    const noisy = Float64Array.of(Number.NaN, 0.5, 2, Infinity, 1e300, 3.25, -Infinity, 9, 1);
    const validity = Uint8Array.of(0b11101111, 0b1); // slot 4 (1e300) is null
    for (const strategy of [
      { kind: 'sturges' },
      { kind: 'doane' },
      { kind: 'equal-width', bins: 4 },
    ] as EdgeStrategy[]) {
      expect(fitEdges(noisy, strategy, validity)).toEqual(fitEdges(clean, strategy));
    }
  });

  it('rejects empty input, bad bin counts and short bitmaps', () => {
    expectStatisticInput(() => fitEdges(new Float64Array(0), { kind: 'sturges' }));
    expectStatisticInput(() => fitEdges(Float64Array.of(Number.NaN), { kind: 'doane' }));
    expectStatisticInput(() => fitEdges(Float64Array.of(1, 2), { kind: 'equal-width', bins: 0 }));
    expectStatisticInput(() => fitEdges(Float64Array.of(1, 2), { kind: 'equal-width', bins: 2.5 }));
    expectStatisticInput(() => fitEdges(Float64Array.of(1, 2), { kind: 'equal-width', bins: 2_000_000 }));
    expectStatisticInput(() => fitEdges(new Float64Array(9), { kind: 'sturges' }, new Uint8Array(1)));
  });

  it('numpy widens a constant column to [v - 0.5, v + 0.5]', () => {
    expect(Array.from(fitEdges(new Float64Array(5).fill(3), { kind: 'doane' }))).toEqual([2.5, 3.5]);
    expect(Array.from(fitEdges(new Float64Array(5).fill(3), { kind: 'equal-width', bins: 2 }))).toEqual([
      2.5, 3, 3.5,
    ]);
  });

  it('the integer rule raises a bin width below 1 to 1', () => {
    const binary = Float64Array.of(0, 1, 1, 0, 1);
    expect(Array.from(fitEdges(binary, { kind: 'sturges' }))).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(Array.from(fitEdges(binary, { kind: 'sturges', integer: true }))).toEqual([0, 1]);
  });

  it('returns strictly increasing edges spanning the values', () => {
    const rand = seededRandom(5);
    for (let trial = 0; trial < 60; trial++) {
      const n = 1 + Math.floor(rand() * 400);
      const scale = 10 ** Math.floor(rand() * 8 - 3);
      const values = Float64Array.from({ length: n }, () => (rand() - 0.3) ** 3 * scale);
      for (const strategy of [
        { kind: 'sturges' },
        { kind: 'doane' },
        { kind: 'equal-width', bins: 1 + Math.floor(rand() * 30) },
      ] as EdgeStrategy[]) {
        const edges = fitEdges(values, strategy);
        for (let i = 1; i < edges.length; i++) expect(edges[i]!).toBeGreaterThan(edges[i - 1]!);
        const min = Math.min(...values);
        const max = Math.max(...values);
        expect(edges[0]).toBe(min === max ? min - 0.5 : min);
        expect(edges[edges.length - 1]).toBe(min === max ? max + 0.5 : max);
      }
    }
  });
});

describe('numpySum', () => {
  it('adds in pairwise blocks like numpy (exact on integers, order-dependent in rounding)', () => {
    const ints = Float64Array.from({ length: 1000 }, (_, i) => i);
    expect(numpySum(ints)).toBe(499500);
    expect(numpySum(new Float64Array(0))).toBe(0);
    // Values from numpy.sum (sequential addition gives 1 and 2): the 8 accumulators keep the small terms together.
    const a = Float64Array.from({ length: 16 }, (_, i) => (i === 0 ? 1 : 1e-16));
    expect(numpySum(a)).toBe(1.0000000000000016);
    const b = Float64Array.from({ length: 149 }, (_, i) => (i === 0 || i === 8 ? 1 : 1e-16));
    expect(numpySum(b)).toBe(2.0000000000000138);
  });
});

describe('fitDistinctValueEdges', () => {
  it('gives every distinct value its own bucket', () => {
    const values = Float64Array.of(3, 1, 1, 2, 3, 3, Number.NaN, 2);
    const edges = fitDistinctValueEdges(values);
    expect(Array.from(edges.subarray(0, 3))).toEqual([1, 2, 3]);
    expect(edges[3]).toBe(nextUp(3));
    const out = new Float64Array(numericBucketCount(edges));
    countNumeric(values, null, values.length, edges, out);
    expect(Array.from(out)).toEqual([1, 0, 0, 2, 2, 3, 0, 0]);
  });

  it('handles a single value and refuses the largest double', () => {
    expect(Array.from(fitDistinctValueEdges(Float64Array.of(-4, -4)))).toEqual([-4, nextUp(-4)]);
    expectStatisticInput(() => fitDistinctValueEdges(Float64Array.of(Number.MAX_VALUE)));
  });

  it('nextUp steps one ulp', () => {
    expect(nextUp(1)).toBe(1 + Number.EPSILON);
    expect(nextUp(0)).toBe(Number.MIN_VALUE);
    expect(nextUp(-1)).toBe(-1 + Number.EPSILON / 2);
  });
});
