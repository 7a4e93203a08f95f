import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src/core/random/seeded-random.ts';
import { ByteWriter, SerialKind } from '../../../src/core/sketches/byte-codec.ts';
import { KllSketch, kllLevelCapacity, kllTotalCapacity } from '../../../src/core/sketches/kll-sketch.ts';
import { expectInvalidOption, expectStatisticInput } from '../stats/assertions.ts';
import {
  countAtMost,
  countBelow,
  DISTRIBUTIONS,
  type Distribution,
  draw,
  expectFrameIsGuarded,
  expectSameBytes,
  type MergeOps,
  mergeCandidates,
  randomCuts,
} from './sketch-test-support.ts';

/**
 * Largest |estimated - true| inclusive normalized rank over the sketch's retained items and 257 evenly spaced data
 * quantiles, and the largest quantile miss: for q on a grid, the true rank interval [below(x), atMost(x)] / n of
 * x = quantile(q) must reach within eps of q.
 */
function maxErrors(sketch: KllSketch, sorted: Float64Array): { rank: number; quantile: number } {
  const n = sorted.length;
  const queries = Array.from(sketch.sortedView().values);
  for (let i = 0; i <= 256; i++) queries.push(sorted[Math.min(n - 1, Math.floor((i * n) / 256))]!);
  let rank = 0;
  for (const x of queries) rank = Math.max(rank, Math.abs(sketch.rank(x) - countAtMost(sorted, x) / n));
  let quantile = 0;
  for (let i = 0; i <= 200; i++) {
    const q = i / 200;
    const x = sketch.quantile(q);
    const lo = countBelow(sorted, x) / n;
    const hi = countAtMost(sorted, x) / n;
    quantile = Math.max(quantile, q < lo ? lo - q : q > hi ? q - hi : 0);
  }
  return { rank, quantile };
}

function build(values: Float64Array, from: number, to: number, k = 200): KllSketch {
  const sketch = new KllSketch({ k });
  sketch.updateMany(values.subarray(from, to), to - from);
  return sketch;
}

describe('KllSketch: error bound', () => {
  it('states the DataSketches normalized rank error', () => {
    // 2.296 / k^0.9723 single-sided, 2.446 / k^0.9433 double-sided (PMF).
    expect(KllSketch.normalizedRankError(200)).toBeCloseTo(0.013295, 5);
    expect(KllSketch.normalizedRankError(200, true)).toBeCloseTo(0.016516, 5);
    expect(KllSketch.normalizedRankError(8)).toBeCloseTo(2.296 / 8 ** 0.9723, 12);
    expect(new KllSketch().rankError).toBe(0);
  });

  const sizes = [10, 100, 1_000, 10_000, 100_000];
  for (const distribution of DISTRIBUTIONS) {
    for (const n of sizes) {
      it(`${distribution}, n = ${n}: every merge order within the bound (3 seeds)`, () => {
        checkMergeOrders(distribution, n, [11, 22, 33], 200, 8);
      });
    }
    it(`${distribution}, n = 1,000,000: every merge order within the bound`, () => {
      checkMergeOrders(distribution, 1_000_000, [44], 200, 16);
    }, 60_000);
  }

  it('small k (k = 16, 8 levels and more): merged sketches stay within the k = 16 bound', () => {
    for (const distribution of DISTRIBUTIONS) checkMergeOrders(distribution, 50_000, [5, 6], 16, 12);
  });

  it('merging sketches of different k keeps this k and reports the bound of the smallest k', () => {
    const data = draw('normal', 40_000, 3);
    const sorted = data.slice().sort();
    const a = build(data, 0, 20_000, 200);
    const b = build(data, 20_000, 40_000, 50);
    a.merge(b);
    expect(a.k).toBe(200);
    expect(a.minK).toBe(50);
    expect(a.rankError).toBe(KllSketch.normalizedRankError(50));
    expect(a.n).toBe(40_000);
    const errors = maxErrors(a, sorted);
    expect(errors.rank).toBeLessThanOrEqual(a.rankError);
    // An exact sketch of smaller k brings exact items: it does not lower minK.
    const c = new KllSketch({ k: 200 });
    c.update(1);
    const d = new KllSketch({ k: 20 });
    d.update(2);
    c.merge(d);
    expect(c.minK).toBe(200);
  });
});

const KLL_MERGE: MergeOps<KllSketch> = {
  clone: (s) => s.clone(),
  merge: (into, from) => into.merge(from),
  roundTrip: (s) => KllSketch.deserialize(s.serialize()),
};

function checkMergeOrders(
  distribution: Distribution,
  n: number,
  seeds: number[],
  k: number,
  parts: number,
): void {
  const eps = KllSketch.normalizedRankError(k);
  for (const seed of seeds) {
    const data = draw(distribution, n, seed);
    const sorted = data.slice().sort();
    const rng = new SeededRandom(seed * 7919);
    const cuts = randomCuts(n, parts, rng);
    const pieces: KllSketch[] = [];
    for (let i = 0; i < parts; i++) pieces.push(build(data, cuts[i]!, cuts[i + 1]!, k));
    const whole = build(data, 0, n, k);
    const candidates = mergeCandidates('single sketch', whole, pieces, KLL_MERGE, rng);

    for (const [name, sketch] of candidates) {
      const context = `${distribution} n=${n} seed=${seed} k=${k} ${name}`;
      expect(sketch.n, context).toBe(n);
      expect(sketch.min, context).toBe(sorted[0]);
      expect(sketch.max, context).toBe(sorted[n - 1]);
      const { weights } = sketch.sortedView();
      expect(
        weights.reduce((s, w) => s + w, 0),
        context,
      ).toBe(n);
      const errors = maxErrors(sketch, sorted);
      const bound = sketch.isExact ? 0 : eps;
      expect(errors.rank, context).toBeLessThanOrEqual(bound);
      expect(errors.quantile, context).toBeLessThanOrEqual(bound);
      expect(sketch.numRetained, context).toBeLessThanOrEqual(kllTotalCapacity(k, sketch.numLevels));
    }
  }
}

describe('KllSketch: exact mode', () => {
  it('is exact until the first compaction, then stops claiming exact quantiles', () => {
    const sketch = new KllSketch({ k: 200 });
    const rng = new SeededRandom(9);
    const seen: number[] = [];
    for (let i = 0; i < 200; i++) {
      const v = Math.round(rng.normal() * 1000) / 10;
      sketch.update(v);
      seen.push(v);
    }
    // Level 0 of an empty k = 200 sketch holds exactly k items.
    expect(sketch.isExact).toBe(true);
    expect(sketch.rankError).toBe(0);
    const sorted = Float64Array.from(seen).sort();
    const view = sketch.sortedView();
    expect(Array.from(view.values)).toEqual(Array.from(sorted));
    expect(view.weights.every((w) => w === 1)).toBe(true);
    for (let i = 1; i <= 200; i++) {
      expect(sketch.quantile(i / 200)).toBe(sorted[i - 1]);
      expect(sketch.rank(sorted[i - 1]!)).toBe(countAtMost(sorted, sorted[i - 1]!) / 200);
    }
    sketch.update(0.05);
    expect(sketch.isExact).toBe(false);
    expect(sketch.numRetained).toBeLessThan(sketch.n);
    expect(sketch.rankError).toBe(KllSketch.normalizedRankError(200));
    expect(sketch.sortedView().weights.some((w) => w === 2)).toBe(true);
  });

  it('merging exact sketches stays exact while the items fit, and compacts when they do not', () => {
    const a = build(draw('uniform', 120, 1), 0, 120);
    const b = build(draw('uniform', 70, 2), 0, 70);
    a.merge(b);
    expect(a.isExact).toBe(true);
    expect(a.n).toBe(190);
    const c = build(draw('uniform', 150, 3), 0, 150);
    a.merge(c);
    expect(a.isExact).toBe(false);
    expect(a.n).toBe(340);
  });

  it('handles the empty sketch and single values', () => {
    const empty = new KllSketch();
    expect(empty.n).toBe(0);
    expect(empty.isEmpty).toBe(true);
    expect(Number.isNaN(empty.min)).toBe(true);
    expect(Number.isNaN(empty.quantile(0.5))).toBe(true);
    expect(Number.isNaN(empty.rank(1))).toBe(true);
    expect(empty.sortedView().values.length).toBe(0);
    const one = new KllSketch();
    one.update(-0.5);
    expect(one.quantile(0)).toBe(-0.5);
    expect(one.quantile(0.5)).toBe(-0.5);
    expect(one.quantile(1)).toBe(-0.5);
    expect(one.rank(-0.5)).toBe(1);
    expect(one.rank(-0.6)).toBe(0);
    one.merge(empty);
    expect(one.n).toBe(1);
    empty.merge(one);
    expect(empty.n).toBe(1);
    expect(empty.min).toBe(-0.5);
  });

  it('quantile(0) and quantile(1) are the exact min and max, even after compaction', () => {
    const data = draw('heavy-tailed', 100_000, 8);
    const sketch = build(data, 0, data.length);
    const sorted = data.slice().sort();
    expect(sketch.quantile(0)).toBe(sorted[0]);
    expect(sketch.quantile(1)).toBe(sorted[sorted.length - 1]);
  });
});

describe('KllSketch: structure and determinism', () => {
  it('follows the DataSketches capacity schedule', () => {
    expect(kllLevelCapacity(200, 1, 0)).toBe(200);
    // round(200 * (2/3)^d) with DataSketches' integer rounding, floored at m = 8.
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((h) => kllLevelCapacity(200, 10, h))).toEqual([
      8, 8, 12, 18, 26, 40, 59, 89, 133, 200,
    ]);
    expect(kllTotalCapacity(200, 10)).toBe(593);
  });

  it('updateMany equals repeated update, byte for byte', () => {
    const data = draw('normal', 30_000, 12);
    const a = new KllSketch();
    for (const v of data) a.update(v);
    const b = new KllSketch();
    b.updateMany(data.subarray(0, 12_345), 12_345);
    b.updateMany(data.subarray(12_345), data.length - 12_345);
    expectSameBytes(b.serialize(), a.serialize());
  });

  it('replays identically: same updates and merges in the same order give the same bytes', () => {
    const run = (): Uint8Array => {
      const data = draw('normal', 50_000, 4);
      const parts = [0, 1, 2, 3].map((p) => build(data, p * 12_500, (p + 1) * 12_500));
      parts[0]!.merge(parts[2]!);
      parts[1]!.merge(parts[3]!);
      parts[0]!.merge(parts[1]!);
      return parts[0]!.serialize();
    };
    expectSameBytes(run(), run());
  });

  it('different seeds flip different coins but both stay within the bound', () => {
    const data = draw('uniform', 20_000, 77);
    const sorted = data.slice().sort();
    const a = new KllSketch({ seed: 1 });
    const b = new KllSketch({ seed: 2 });
    a.updateMany(data, data.length);
    b.updateMany(data, data.length);
    expect(Array.from(a.sortedView().values)).not.toEqual(Array.from(b.sortedView().values));
    expect(maxErrors(a, sorted).rank).toBeLessThanOrEqual(a.rankError);
    expect(maxErrors(b, sorted).rank).toBeLessThanOrEqual(b.rankError);
  });

  it('merging a sketch into itself doubles it', () => {
    const data = draw('uniform', 5_000, 5);
    const sketch = build(data, 0, data.length);
    sketch.merge(sketch);
    expect(sketch.n).toBe(10_000);
    const doubled = new Float64Array(10_000);
    doubled.set(data);
    doubled.set(data, 5_000);
    expect(maxErrors(sketch, doubled.sort()).rank).toBeLessThanOrEqual(sketch.rankError);
  });

  it('does not modify the merged-in operand', () => {
    const a = build(draw('uniform', 3_000, 1), 0, 3_000);
    const b = build(draw('uniform', 3_000, 2), 0, 3_000);
    const before = b.serialize();
    a.merge(b);
    expectSameBytes(b.serialize(), before);
  });

  it('rejects non-finite values, bad lengths and bad options', () => {
    const sketch = new KllSketch();
    expectStatisticInput(() => sketch.update(Number.NaN));
    expectStatisticInput(() => sketch.update(Number.POSITIVE_INFINITY));
    expectStatisticInput(() => sketch.updateMany(Float64Array.of(1, 2, Number.NEGATIVE_INFINITY), 3));
    // All-or-nothing: the finite values before the bad one were not added.
    expect(sketch.n).toBe(0);
    expectStatisticInput(() => sketch.updateMany(Float64Array.of(1), 2));
    expectStatisticInput(() => sketch.quantile(1.5));
    expectStatisticInput(() => sketch.quantile(Number.NaN));
    expectStatisticInput(() => sketch.rank(Number.NaN));
    expectInvalidOption(() => new KllSketch({ k: 7 }));
    expectInvalidOption(() => new KllSketch({ k: 65_536 }));
    expectInvalidOption(() => new KllSketch({ k: 200.5 }));
    expectInvalidOption(() => new KllSketch({ seed: -1 }));
  });
});

describe('KllSketch: serialization', () => {
  const states: [string, () => KllSketch][] = [
    ['empty', () => new KllSketch()],
    ['exact', () => build(draw('normal', 150, 1), 0, 150)],
    ['estimation', () => build(draw('heavy-tailed', 100_000, 2), 0, 100_000)],
    [
      'merged, mixed k',
      () => {
        const a = build(draw('tied', 30_000, 3), 0, 30_000, 100);
        a.merge(build(draw('normal', 20_000, 4), 0, 20_000, 40));
        return a;
      },
    ],
  ];

  for (const [name, make] of states) {
    it(`${name}: serialize(deserialize(x)) === x, and the decoded sketch continues identically`, () => {
      const sketch = make();
      const bytes = sketch.serialize();
      const decoded = KllSketch.deserialize(bytes);
      expectSameBytes(decoded.serialize(), bytes);
      expect(decoded.n).toBe(sketch.n);
      expect(decoded.minK).toBe(sketch.minK);
      const more = draw('uniform', 5_000, 99);
      sketch.updateMany(more, more.length);
      decoded.updateMany(more, more.length);
      expectSameBytes(decoded.serialize(), sketch.serialize());
    });

    it(`${name}: truncated or corrupted bytes throw DW_STATISTIC_INPUT`, () => {
      expectFrameIsGuarded(make().serialize(), (b) => KllSketch.deserialize(b));
    });
  }

  it('decodes from a Node Buffer that is a view into a larger pooled slab (as Kafka clients deliver)', () => {
    const sketch = build(draw('normal', 20_000, 5), 0, 20_000);
    const bytes = sketch.serialize();
    const slab = Buffer.concat([Buffer.alloc(5, 7), Buffer.from(bytes), Buffer.alloc(9)]);
    const view = slab.subarray(5, 5 + bytes.length);
    expect(view.byteOffset % 8).not.toBe(0);
    expectSameBytes(KllSketch.deserialize(view).serialize(), bytes);
  });

  it('is compact: about 8 bytes per retained item plus a small header', () => {
    const sketch = build(draw('normal', 1_000_000, 6), 0, 1_000_000);
    const bytes = sketch.serialize();
    expect(bytes.length).toBeLessThan(sketch.numRetained * 8 + 64);
    expect(bytes.length).toBeLessThan(6_000);
  });

  it('rejects frames with a valid checksum but inconsistent content', () => {
    const frame = (fill: (w: ByteWriter) => void): Uint8Array => {
      const w = new ByteWriter(SerialKind.KLL_DOUBLES);
      fill(w);
      return w.finish();
    };
    const header = (w: ByteWriter, k: number, minK: number, numLevels: number, n: number): void => {
      w.u16(k);
      w.u16(minK);
      w.u8(8);
      w.u8(numLevels);
      w.u32(1);
      w.varUint(n);
    };
    // k below 8.
    expectStatisticInput(() =>
      KllSketch.deserialize(
        frame((w) => {
          header(w, 4, 4, 1, 0);
          w.f64(Number.NaN);
          w.f64(Number.NaN);
          w.varUint(0);
        }),
      ),
    );
    // Level weights (2 items at level 1 = 4) do not sum to n = 3.
    expectStatisticInput(() =>
      KllSketch.deserialize(
        frame((w) => {
          header(w, 200, 200, 2, 3);
          w.f64(1);
          w.f64(2);
          w.varUint(0);
          w.varUint(2);
          w.f64(1);
          w.f64(2);
        }),
      ),
    );
    // Level 1 not sorted.
    expectStatisticInput(() =>
      KllSketch.deserialize(
        frame((w) => {
          header(w, 200, 200, 2, 4);
          w.f64(1);
          w.f64(2);
          w.varUint(0);
          w.varUint(2);
          w.f64(2);
          w.f64(1);
        }),
      ),
    );
    // An item outside [min, max], and a NaN item.
    for (const item of [5, Number.NaN]) {
      expectStatisticInput(() =>
        KllSketch.deserialize(
          frame((w) => {
            header(w, 200, 200, 1, 1);
            w.f64(1);
            w.f64(1);
            w.varUint(1);
            w.f64(item);
          }),
        ),
      );
    }
    // A population claiming more items than the frame holds.
    expectStatisticInput(() =>
      KllSketch.deserialize(
        frame((w) => {
          header(w, 200, 200, 1, 100);
          w.f64(1);
          w.f64(1);
          w.varUint(100);
        }),
      ),
    );
    // Trailing bytes, and another structure's frame.
    const good = build(Float64Array.of(1, 2, 3), 0, 3).serialize();
    expectStatisticInput(() =>
      KllSketch.deserialize(
        frame((w) => {
          w.raw(good.subarray(4, good.length - 4));
          w.u8(0);
        }),
      ),
    );
    const other = new ByteWriter(SerialKind.HYPERLOGLOG);
    other.raw(good.subarray(4, good.length - 4));
    expectStatisticInput(() => KllSketch.deserialize(other.finish()));
  });
});
