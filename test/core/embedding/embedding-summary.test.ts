import { describe, expect, it } from 'vitest';
import {
  EMBEDDING_DEFAULT_SAMPLE_SIZE,
  EmbeddingSummary,
} from '../../../src/core/embedding/embedding-summary.ts';
import { SeededRandom } from '../../../src/core/random/seeded-random.ts';
import { hashFloat64, hashString } from '../../../src/core/sketches/hash64.ts';
import { expectInvalidOption, expectStatisticInput } from '../stats/assertions.ts';

function randomVectors(rng: SeededRandom, rows: number, d: number, float32 = true): Float64Array {
  const out = new Float64Array(rows * d);
  for (let i = 0; i < out.length; i++)
    out[i] = float32 ? Math.fround(0.3 + rng.normal()) : 0.3 + rng.normal();
  return out;
}

function summaryOf(
  vectors: Float64Array | Float32Array,
  rows: number,
  d: number,
  sampleSize: number,
  firstIndex = 0,
): EmbeddingSummary {
  const s = EmbeddingSummary.create({ dimension: d, sampleSize });
  s.add(vectors, rows, null, firstIndex);
  return s;
}

/** The expected bottom-k by brute force: every row's XXH64 priority, sorted, first k. */
function bottomK(priorities: [number, number][], k: number): number[] {
  return priorities
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p[0] - b.p[0] || a.p[1] - b.p[1])
    .slice(0, k)
    .map((e) => e.i);
}

function indexPriority(index: number): [number, number] {
  const out = new Uint32Array(2);
  hashFloat64(index, out);
  return [out[0]!, out[1]!];
}

describe('EmbeddingSummary: counts and centroid', () => {
  it('counts valid rows, leaves out rows with a non-finite component, and averages the rest', () => {
    const d = 3;
    const s = EmbeddingSummary.create({ dimension: d });
    s.add(Float64Array.of(1, 2, 3, Number.NaN, 0, 0, 3, 4, 5, 0, Infinity, 0, 5, 6, 7), 5);
    expect(s.count).toBe(3);
    expect(s.invalidCount).toBe(2);
    expect(Array.from(s.centroid())).toEqual([3, 4, 5]);
    expect(Array.from(s.sum())).toEqual([9, 12, 15]);
    expect(s.sampleRows).toBe(3);
    expect(Array.from(EmbeddingSummary.create({ dimension: 2 }).centroid())).toEqual([
      Number.NaN,
      Number.NaN,
    ]);
  });

  it('Float32Array and Float64Array inputs of the same numbers give the same state', () => {
    const rng = new SeededRandom(1);
    const v = randomVectors(rng, 300, 8);
    const a = summaryOf(v, 300, 8, 64);
    const b = summaryOf(Float32Array.from(v), 300, 8, 64);
    expect(b.serialize()).toEqual(a.serialize());
  });

  it('the compensated centroid survives a large common offset', () => {
    // 1e8 + small noise: a naive float sum of 100k rows would lose the noise's digits.
    const d = 2;
    const rows = 100_000;
    const v = new Float64Array(rows * d);
    for (let i = 0; i < rows; i++) {
      v[2 * i] = 1e8 + (i % 2 === 0 ? 0.1 : -0.1);
      v[2 * i + 1] = 1e-3 * (i % 3);
    }
    const c = summaryOf(v, rows, d, 0).centroid();
    expect(c[0]).toBe(1e8);
    // Mean of 1e-3 (i mod 3): 33,334 zeros, 33,333 ones and twos -> 99,999e-3 / 100,000.
    expect(Math.abs(c[1]! / ((1e-3 * 99_999) / 100_000) - 1)).toBeLessThan(1e-13);
  });
});

describe('EmbeddingSummary: the bottom-k sample', () => {
  it('is the rows with the smallest XXH64 of their index, in that order', () => {
    const rng = new SeededRandom(2);
    const d = 4;
    const rows = 3000;
    const v = randomVectors(rng, rows, d);
    const s = summaryOf(v, rows, d, 100, 5000);
    const expected = bottomK(
      Array.from({ length: rows }, (_, i) => indexPriority(5000 + i)),
      100,
    );
    const sample = s.sample();
    expect(sample.rows).toBe(100);
    for (let r = 0; r < 100; r++) {
      expect(Array.from(sample.values.subarray(r * d, r * d + d))).toEqual(
        Array.from(v.subarray(expected[r]! * d, expected[r]! * d + d)),
      );
    }
  });

  it('with event keys, is the rows with the smallest XXH64 of their UTF-8 key', () => {
    const rng = new SeededRandom(3);
    const d = 2;
    const rows = 500;
    const v = randomVectors(rng, rows, d);
    const keys = Array.from({ length: rows }, (_, i) => `req-${i}-é`);
    const s = EmbeddingSummary.create({ dimension: d, sampleSize: 20 });
    s.add(v, rows, keys);
    const out = new Uint32Array(2);
    const expected = bottomK(
      keys.map((k) => {
        hashString(k, out);
        return [out[0]!, out[1]!] as [number, number];
      }),
      20,
    );
    const sample = s.sample();
    expect(Array.from({ length: 20 }, (_, r) => sample.values[r * d])).toEqual(expected.map((i) => v[i * d]));
  });

  it('does not depend on batch boundaries', () => {
    const rng = new SeededRandom(4);
    const d = 5;
    const rows = 2000;
    const v = randomVectors(rng, rows, d);
    const whole = summaryOf(v, rows, d, 128).serialize();
    const batched = EmbeddingSummary.create({ dimension: d, sampleSize: 128 });
    for (let start = 0; start < rows; ) {
      const n = Math.min(rows - start, 1 + Math.floor(rng.next() * 300));
      batched.add(v.subarray(start * d, (start + n) * d), n, null, start);
      start += n;
    }
    // Same sample and counts; the compensated sums may differ in their last bits, so compare through the sample.
    const a = EmbeddingSummary.deserialize(whole);
    expect(batched.sample()).toEqual(a.sample());
    expect(batched.count).toBe(a.count);
    const ca = a.centroid();
    const cb = batched.centroid();
    for (let j = 0; j < d; j++)
      expect(Math.abs(cb[j]! - ca[j]!)).toBeLessThanOrEqual(1e-15 * Math.abs(ca[j]!) + 1e-17);
  });

  it('merges in any order and grouping to the same sample and centroid', () => {
    const rng = new SeededRandom(5);
    const d = 6;
    for (let trial = 0; trial < 10; trial++) {
      const rows = 500 + Math.floor(rng.next() * 3000);
      const v = randomVectors(rng, rows, d);
      const k = [1, 16, 64, 300][trial % 4]!;
      const whole = summaryOf(v, rows, d, k);
      const cuts = [
        0,
        ...Array.from({ length: 5 }, () => Math.floor(rng.next() * rows)).sort((a, b) => a - b),
        rows,
      ];
      const parts = cuts.slice(1).map((end, i) => {
        const start = cuts[i]!;
        return summaryOf(v.subarray(start * d, end * d), end - start, d, k, start);
      });
      const order = parts.map((_, i) => i).sort(() => rng.next() - 0.5);
      const left = EmbeddingSummary.create({ dimension: d, sampleSize: k });
      for (const i of order) left.mergeFrom(parts[i]!);
      // A balanced tree over serialized copies (as partial aggregates travel through Kafka).
      let level = parts.map((p) => EmbeddingSummary.deserialize(p.serialize()));
      while (level.length > 1) {
        const next: EmbeddingSummary[] = [];
        for (let i = 0; i < level.length; i += 2) {
          const a = level[i]!;
          if (i + 1 < level.length) a.mergeFrom(level[i + 1]!);
          next.push(a);
        }
        level = next;
      }
      for (const merged of [left, level[0]!]) {
        expect(merged.sample()).toEqual(whole.sample());
        expect(merged.count).toBe(rows);
        const cw = whole.centroid();
        const cm = merged.centroid();
        for (let j = 0; j < d; j++)
          expect(Math.abs(cm[j]! - cw[j]!)).toBeLessThanOrEqual(1e-14 * Math.abs(cw[j]!));
      }
    }
  });

  it('orders rows sharing a key by their vectors, so partitions with the same indices still merge in any order', () => {
    const rng = new SeededRandom(6);
    const d = 3;
    const va = randomVectors(rng, 400, d);
    const vb = randomVectors(rng, 400, d);
    const a = summaryOf(va, 400, d, 50, 0);
    const b = summaryOf(vb, 400, d, 50, 0);
    const ab = a.clone();
    ab.mergeFrom(b);
    const ba = b.clone();
    ba.mergeFrom(a);
    expect(ba.sample()).toEqual(ab.sample());
    // The 25 smallest index priorities, each twice (once per partition), the smaller vector first.
    const indices = bottomK(
      Array.from({ length: 400 }, (_, i) => indexPriority(i)),
      25,
    );
    const sample = ab.sample();
    expect(sample.rows).toBe(50);
    indices.forEach((index, r) => {
      const rows = [va.subarray(index * d, index * d + d), vb.subarray(index * d, index * d + d)]
        .map((x) => Array.from(x))
        .sort((x, y) => x[0]! - y[0]!);
      expect(Array.from(sample.values.subarray(2 * r * d, 2 * r * d + d))).toEqual(rows[0]);
      expect(Array.from(sample.values.subarray((2 * r + 1) * d, (2 * r + 1) * d + d))).toEqual(rows[1]);
    });
  });

  it('is a uniform sample: about half of it comes from each half of the rows', () => {
    const d = 1;
    const rows = 20_000;
    const v = Float64Array.from({ length: rows }, (_, i) => i);
    const s = summaryOf(v, rows, d, 1000);
    let firstHalf = 0;
    for (const x of s.sample().values) if (x < rows / 2) firstHalf++;
    // Hypergeometric, sd about 15.8: 500 ± 60 is a 3.8-sigma band.
    expect(Math.abs(firstHalf - 500)).toBeLessThan(60);
  });

  it('with sampleSize 0 keeps no rows but still the centroid', () => {
    const s = summaryOf(Float64Array.of(1, 2, 3, 4), 2, 2, 0);
    expect(s.sample().rows).toBe(0);
    expect(Array.from(s.centroid())).toEqual([2, 3]);
    expect(EmbeddingSummary.deserialize(s.serialize()).count).toBe(2);
  });

  it('has the stated default sample size', () => {
    expect(EmbeddingSummary.create({ dimension: 384 }).sampleSize).toBe(EMBEDDING_DEFAULT_SAMPLE_SIZE);
    expect(EMBEDDING_DEFAULT_SAMPLE_SIZE).toBe(512);
  });
});

describe('EmbeddingSummary: serialization', () => {
  it('round-trips, writing float32 components when they are exactly float32 and float64 otherwise', () => {
    const rng = new SeededRandom(8);
    const d = 16;
    const f32 = summaryOf(randomVectors(rng, 300, d, true), 300, d, 100);
    const f64 = summaryOf(randomVectors(rng, 300, d, false), 300, d, 100);
    for (const s of [f32, f64]) {
      const bytes = s.serialize();
      const back = EmbeddingSummary.deserialize(bytes);
      expect(back.serialize()).toEqual(bytes);
      expect(back.sample()).toEqual(s.sample());
      expect(back.centroid()).toEqual(s.centroid());
      expect(back.invalidCount).toBe(s.invalidCount);
    }
    // 100 rows x 16 components: 4 bytes each vs 8.
    expect(f64.serialize().length - f32.serialize().length).toBe(100 * d * 4);
  });

  it('a deserialized summary keeps sampling like the original', () => {
    const rng = new SeededRandom(9);
    const d = 4;
    const v = randomVectors(rng, 1000, d);
    const original = summaryOf(v.subarray(0, 600 * d), 600, d, 50);
    const copy = EmbeddingSummary.deserialize(original.serialize());
    original.add(v.subarray(600 * d), 400, null, 600);
    copy.add(v.subarray(600 * d), 400, null, 600);
    expect(copy.sample()).toEqual(original.sample());
    expect(copy.sample()).toEqual(summaryOf(v, 1000, d, 50).sample());
  });

  it('fails loudly on corruption and truncation', () => {
    const rng = new SeededRandom(10);
    const bytes = summaryOf(randomVectors(rng, 40, 3), 40, 3, 10).serialize();
    for (let i = 0; i < bytes.length; i += 5) {
      const damaged = bytes.slice();
      damaged[i]! ^= 0x01;
      expectStatisticInput(() => EmbeddingSummary.deserialize(damaged));
    }
    expectStatisticInput(() => EmbeddingSummary.deserialize(bytes.subarray(0, bytes.length - 2)));
  });
});

describe('EmbeddingSummary: validation', () => {
  it('checks options', () => {
    for (const dimension of [0, -1, 1.5, 70_000, Number.NaN]) {
      expectInvalidOption(() => EmbeddingSummary.create({ dimension }));
    }
    for (const sampleSize of [-1, 2.5, 100_000])
      expectInvalidOption(() => EmbeddingSummary.create({ dimension: 2, sampleSize }));
  });

  it('checks input', () => {
    const s = EmbeddingSummary.create({ dimension: 2 });
    expectStatisticInput(() => s.add(Float64Array.of(1, 2, 3), 2));
    expectStatisticInput(() => s.add(Float64Array.of(1, 2, 3, 4), 2, ['only-one']));
    expectStatisticInput(() => s.add(Float64Array.of(1, 2), 1, null, -1));
    expectStatisticInput(() => s.add([1, 2] as unknown as Float64Array, 1));
    expectStatisticInput(() => s.mergeFrom(EmbeddingSummary.create({ dimension: 3 })));
    expectStatisticInput(() => s.mergeFrom(EmbeddingSummary.create({ dimension: 2, sampleSize: 10 })));
  });
});
