import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src/core/random/seeded-random.ts';
import { ByteWriter, SerialKind } from '../../../src/core/sketches/byte-codec.ts';
import { KllSketch } from '../../../src/core/sketches/kll-sketch.ts';
import { NumericSummary } from '../../../src/core/summary/numeric-summary.ts';
import {
  countAtMost,
  DISTRIBUTIONS,
  draw,
  expectFrameIsGuarded,
  expectSameBytes,
  type MergeOps,
  mergeCandidates,
  randomCuts,
} from '../sketches/sketch-test-support.ts';
import { expectInvalidOption, expectStatisticInput } from '../stats/assertions.ts';

/** Values with nulls, NaN and infinities sprinkled in, and a validity bitmap whose null slots hold junk. */
function column(n: number, seed: number, offset = 0) {
  const rng = new SeededRandom(seed);
  const values = new Float64Array(n);
  const validity = new Uint8Array(Math.ceil(n / 8));
  const finite: number[] = [];
  const expected = { nulls: 0, nans: 0, negInf: 0, posInf: 0 };
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    if (u < 0.05) {
      expected.nulls++;
      values[i] = [Number.NaN, Number.POSITIVE_INFINITY, 12345][i % 3]!;
      continue;
    }
    validity[i >> 3]! |= 1 << (i & 7);
    if (u < 0.07) {
      values[i] = Number.NaN;
      expected.nans++;
    } else if (u < 0.08) {
      values[i] = Number.NEGATIVE_INFINITY;
      expected.negInf++;
    } else if (u < 0.095) {
      values[i] = Number.POSITIVE_INFINITY;
      expected.posInf++;
    } else {
      values[i] = offset + rng.normal() * 3;
      finite.push(values[i]!);
    }
  }
  return { values, validity, finite: Float64Array.from(finite), expected };
}

/** Neumaier-compensated sum of f(v) over values. */
function compensatedSum(values: Float64Array, f: (v: number) => number): number {
  let sum = 0;
  let c = 0;
  for (const x of values) {
    const v = f(x);
    const t = sum + v;
    c += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return sum + c;
}

/** Moments of `values` computed directly: compensated two-pass, plus the scale |x| sums for relative comparisons. */
function directMoments(values: Float64Array): { mean: number; m2: number; sum: number; absSum: number } {
  const sum = compensatedSum(values, (v) => v);
  const mean = sum / values.length;
  const m2 = compensatedSum(values, (v) => (v - mean) ** 2);
  return { mean, m2, sum, absSum: compensatedSum(values, Math.abs) };
}

/**
 * |actual - expected| <= tolerance * scale. `scale` defaults to |expected|; sums and means of mixed-sign data pass
 * the magnitude of their terms instead (sum |x|, mean |x|), the scale at which their rounding happens.
 */
function expectRelativelyClose(
  actual: number,
  expected: number,
  tolerance: number,
  context: string,
  scale = Math.abs(expected),
): void {
  expect(Math.abs(actual - expected), `${context}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
    tolerance * Math.max(scale, Number.MIN_VALUE),
  );
}

function summaryOf(values: Float64Array, from: number, to: number, options = {}): NumericSummary {
  const summary = NumericSummary.create(options);
  summary.add(values.subarray(from, to), null, to - from);
  return summary;
}

describe('NumericSummary: counts', () => {
  it('counts null, NaN, -inf and +inf apart, and never reads null slots as numbers', () => {
    const { values, validity, finite, expected } = column(5_000, 1);
    const summary = NumericSummary.create();
    summary.add(values, validity, values.length);
    expect(summary.nullCount).toBe(expected.nulls);
    expect(summary.nanCount).toBe(expected.nans);
    expect(summary.negativeInfinityCount).toBe(expected.negInf);
    expect(summary.positiveInfinityCount).toBe(expected.posInf);
    expect(summary.count).toBe(finite.length);
    expect(summary.total).toBe(5_000);
    const sorted = finite.slice().sort();
    expect(summary.min).toBe(sorted[0]);
    expect(summary.max).toBe(sorted[sorted.length - 1]);
    const direct = directMoments(finite);
    expectRelativelyClose(summary.mean, direct.mean, 1e-12, 'mean', direct.absSum / finite.length);
    expectRelativelyClose(summary.m2, direct.m2, 1e-12, 'M2');
    expectRelativelyClose(summary.sum, direct.sum, 1e-12, 'sum', direct.absSum);
    expectRelativelyClose(summary.populationStd, Math.sqrt(direct.m2 / finite.length), 1e-12, 'std');
    expectRelativelyClose(
      summary.sumOfSquares,
      finite.reduce((s, v) => s + v * v, 0),
      1e-10,
      'sum of squares',
    );
    const sample = summary.sample();
    expect(sample.exact).toBe(true);
    expect(sample.weights).toBeNull();
    expect(sample.rankError).toBe(0);
    expect(Array.from(sample.values)).toEqual(Array.from(sorted));
  });

  it('honours length and treats a null bitmap as all present', () => {
    const summary = NumericSummary.create();
    summary.add(Float64Array.of(1, Number.NaN, 3, 99), null, 3);
    expect(summary.count).toBe(2);
    expect(summary.nanCount).toBe(1);
    expect(summary.max).toBe(3);
  });

  it('reports NaN statistics when there are no finite values', () => {
    const summary = NumericSummary.create();
    summary.add(Float64Array.of(Number.NaN, Number.POSITIVE_INFINITY), Uint8Array.of(0b10), 2);
    expect(summary.nullCount).toBe(1);
    expect(summary.positiveInfinityCount).toBe(1);
    expect(summary.count).toBe(0);
    expect(Number.isNaN(summary.mean)).toBe(true);
    expect(Number.isNaN(summary.populationStd)).toBe(true);
    expect(Number.isNaN(summary.min)).toBe(true);
    expect(summary.sample().values.length).toBe(0);
  });

  it('stays accurate on data far from zero (no catastrophic cancellation)', () => {
    const { finite } = column(20_000, 3, 1e9);
    const summary = NumericSummary.create({ exactLimit: 100 });
    for (let i = 0; i < finite.length; i += 777) {
      summary.add(finite.subarray(i, i + 777), null, Math.min(777, finite.length - i));
    }
    const direct = directMoments(finite);
    expectRelativelyClose(summary.populationStd, Math.sqrt(direct.m2 / finite.length), 1e-9, 'std at 1e9');
    expectRelativelyClose(summary.mean, direct.mean, 1e-15, 'mean at 1e9');
  });

  it('rejects bad lengths, short bitmaps and bad options', () => {
    const summary = NumericSummary.create();
    expectStatisticInput(() => summary.add(new Float64Array(3), null, 4));
    expectStatisticInput(() => summary.add(new Float64Array(9), new Uint8Array(1), 9));
    expectStatisticInput(() => summary.mergeFrom({} as NumericSummary));
    expectInvalidOption(() => NumericSummary.create({ exactLimit: -1 }));
    expectInvalidOption(() => NumericSummary.create({ exactLimit: 1.5 }));
    expectInvalidOption(() => NumericSummary.create({ k: 4 }));
  });
});

describe('NumericSummary: exact to sketch', () => {
  it('keeps exactLimit values exactly and converts on the next one', () => {
    const data = draw('normal', 1_001, 4);
    const summary = NumericSummary.create({ exactLimit: 1_000 });
    summary.add(data, null, 1_000);
    expect(summary.isSketched).toBe(false);
    expect(summary.isExact).toBe(true);
    summary.add(data.subarray(1_000), null, 1);
    expect(summary.isSketched).toBe(true);
    expect(summary.isExact).toBe(false);
    const sample = summary.sample();
    expect(sample.exact).toBe(false);
    expect(sample.rankError).toBe(KllSketch.normalizedRankError(200));
    expect(sample.weights!.reduce((s, w) => s + w, 0)).toBe(1_001);
  });

  it('converts in arrival order whatever the batch boundaries (same sketch, same sample)', () => {
    const data = draw('uniform', 50_000, 5);
    const once = summaryOf(data, 0, data.length);
    const chunked = NumericSummary.create();
    const rng = new SeededRandom(5);
    const cuts = randomCuts(data.length, 40, rng);
    for (let i = 0; i < 40; i++)
      chunked.add(data.subarray(cuts[i]!, cuts[i + 1]!), null, cuts[i + 1]! - cuts[i]!);
    const a = once.sample();
    const b = chunked.sample();
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
    expect(Array.from(b.weights!)).toEqual(Array.from(a.weights!));
  });

  it('converts when a merge of two exact summaries exceeds the limit', () => {
    const data = draw('normal', 1_500, 6);
    const a = summaryOf(data, 0, 800, { exactLimit: 1_000 });
    const b = summaryOf(data, 800, 1_500, { exactLimit: 1_000 });
    const small = summaryOf(data, 0, 100, { exactLimit: 1_000 });
    small.mergeFrom(summaryOf(data, 100, 1_000, { exactLimit: 1_000 }));
    expect(small.isSketched).toBe(false);
    expect(small.count).toBe(1_000);
    a.mergeFrom(b);
    expect(a.isSketched).toBe(true);
    expect(a.count).toBe(1_500);
  });

  it('a sketch whose KLL never compacted still reports exact values', () => {
    const summary = NumericSummary.create({ exactLimit: 10, k: 200 });
    summary.add(draw('uniform', 50, 1), null, 50);
    expect(summary.isSketched).toBe(true);
    expect(summary.isExact).toBe(true);
    const sample = summary.sample();
    expect(sample.exact).toBe(true);
    expect(sample.weights).toBeNull();
    expect(sample.values.length).toBe(50);
  });
});

const SUMMARY_MERGE: MergeOps<NumericSummary> = {
  clone: (s) => s.clone(),
  merge: (into, from) => into.mergeFrom(from),
  roundTrip: (s) => NumericSummary.deserialize(s.serialize()),
};

describe('NumericSummary: merging', () => {
  const sizes = [10, 1_000, 30_000, 200_000];
  for (const distribution of DISTRIBUTIONS) {
    for (const n of sizes) {
      it(`${distribution}, n = ${n}: counts exact, moments to 1e-12, values exact or within the bound, any order`, () => {
        for (const seed of [1, 2, 3]) {
          const data = draw(distribution, n, seed * 31 + n);
          // Sprinkle specials so every counter takes part.
          for (let i = 0; i < n; i += 97) data[i] = [Number.NaN, -Infinity, Infinity][i % 3]!;
          const rng = new SeededRandom(seed);
          const cuts = randomCuts(n, 9, rng);
          const parts = Array.from({ length: 9 }, (_, p) => summaryOf(data, cuts[p]!, cuts[p + 1]!));
          const whole = summaryOf(data, 0, n);
          const finite = data.filter((v) => Number.isFinite(v)).sort();
          const results = mergeCandidates('single summary', whole, parts, SUMMARY_MERGE, rng);

          const direct = directMoments(finite);
          for (const [name, s] of results) {
            const context = `${distribution} n=${n} seed=${seed} ${name}`;
            expect(s.nanCount, context).toBe(whole.nanCount);
            expect(s.negativeInfinityCount, context).toBe(whole.negativeInfinityCount);
            expect(s.positiveInfinityCount, context).toBe(whole.positiveInfinityCount);
            expect(s.count, context).toBe(finite.length);
            expect(s.min, context).toBe(finite[0]);
            expect(s.max, context).toBe(finite[finite.length - 1]);
            const meanScale = direct.absSum / finite.length;
            expectRelativelyClose(s.mean, whole.mean, 1e-12, `${context} mean`, meanScale);
            expectRelativelyClose(s.sum, whole.sum, 1e-12, `${context} sum`, direct.absSum);
            expectRelativelyClose(s.m2, whole.m2, 1e-12, `${context} M2`);
            expectRelativelyClose(s.mean, direct.mean, 1e-12, `${context} mean vs direct`, meanScale);
            expectRelativelyClose(s.sum, direct.sum, 1e-12, `${context} sum vs direct`, direct.absSum);
            expectRelativelyClose(s.m2, direct.m2, 1e-12, `${context} M2 vs direct`);
            const sample = s.sample();
            if (finite.length <= s.exactLimit) {
              expect(sample.exact, context).toBe(true);
              expect(Array.from(sample.values), context).toEqual(Array.from(finite));
            } else {
              expect(sample.exact, context).toBe(false);
              let worst = 0;
              let cumulative = 0;
              for (let i = 0; i < sample.values.length; i++) {
                cumulative += sample.weights![i]!;
                // Only the last of a run of ties carries the inclusive rank.
                if (i + 1 < sample.values.length && sample.values[i + 1] === sample.values[i]) continue;
                const truth = countAtMost(finite, sample.values[i]!) / finite.length;
                worst = Math.max(worst, Math.abs(cumulative / finite.length - truth));
              }
              expect(worst, context).toBeLessThanOrEqual(sample.rankError);
            }
          }
        }
      }, 60_000);
    }
  }

  it('merging into itself doubles every count', () => {
    const summary = summaryOf(Float64Array.of(1, 2, Number.NaN, 4), 0, 4);
    summary.mergeFrom(summary);
    expect(summary.count).toBe(6);
    expect(summary.nanCount).toBe(2);
    expect(Array.from(summary.sample().values)).toEqual([1, 1, 2, 2, 4, 4]);
  });

  it('does not modify the merged-in operand', () => {
    const a = summaryOf(draw('normal', 20_000, 1), 0, 20_000);
    const b = summaryOf(draw('normal', 5_000, 2), 0, 5_000);
    const before = b.serialize();
    a.mergeFrom(b);
    b.mergeFrom(a);
    const c = summaryOf(draw('normal', 5_000, 2), 0, 5_000);
    expectSameBytes(c.serialize(), before);
  });
});

describe('NumericSummary: serialization', () => {
  const states: [string, () => NumericSummary][] = [
    ['empty', () => NumericSummary.create()],
    ['specials only', () => summaryOf(Float64Array.of(Number.NaN, -Infinity), 0, 2)],
    ['exact', () => summaryOf(draw('normal', 2_000, 1), 0, 2_000)],
    ['sketched', () => summaryOf(draw('heavy-tailed', 50_000, 2), 0, 50_000)],
  ];
  for (const [name, make] of states) {
    it(`${name}: serialize(deserialize(x)) === x and damage throws DW_STATISTIC_INPUT`, () => {
      const bytes = make().serialize();
      const decoded = NumericSummary.deserialize(bytes);
      expectSameBytes(decoded.serialize(), bytes);
      expectFrameIsGuarded(bytes, (b) => NumericSummary.deserialize(b), 150);
    });
  }

  it('is compact: 10^6 values serialize to a few kilobytes', () => {
    const data = draw('normal', 1_000_000, 7);
    const summary = summaryOf(data, 0, data.length);
    const bytes = summary.serialize();
    console.log(`NumericSummary of 10^6 normal values: ${bytes.length} bytes`);
    expect(bytes.length).toBeLessThan(6_000);
    expect(NumericSummary.deserialize(bytes).count).toBe(1_000_000);
  });

  it('rejects frames with a valid checksum but inconsistent content', () => {
    const good = summaryOf(Float64Array.of(1, 2, 3), 0, 3).serialize();
    const payload = good.subarray(4, good.length - 4);
    const refit = (edit: (p: Uint8Array) => void): Uint8Array => {
      const p = payload.slice();
      edit(p);
      const w = new ByteWriter(SerialKind.NUMERIC_SUMMARY);
      w.raw(p);
      return w.finish();
    };
    // Layout: u32 limit, u16 k, 5 one-byte varints, then f64 min at 11, max at 19, ..., mode at 59, values at 60.
    expectStatisticInput(() =>
      NumericSummary.deserialize(refit((p) => new DataView(p.buffer).setFloat64(11, 5, true))),
    );
    expectStatisticInput(() =>
      NumericSummary.deserialize(refit((p) => new DataView(p.buffer).setFloat64(60, 9, true))),
    );
    expectStatisticInput(() => NumericSummary.deserialize(refit((p) => (p[59] = 7))));
    expectStatisticInput(() =>
      NumericSummary.deserialize(refit((p) => new DataView(p.buffer).setUint32(0, 2, true))),
    );
  });
});
